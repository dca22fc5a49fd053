// Pure parts of the driver: the request matcher on its own (pure logic, real timers with short timeouts): retransmission with the same seq and
// the RETRANSMIT flag, responses matched by seq, late responses ignored, the in-flight limit, and link loss.
import t from 'tap';
import { agentIdFor } from '../../../drivers/serial/port-session.js';
import { RequestTimeoutError, RequestTracker } from '../../../drivers/serial/request-tracker.js';
import { Flag, type Frame, type FrameInput, MsgType } from '../../../firmware-bridge/ts/index.js';

const label = { agent: 'a1', request: 'r-1' };
const reply = (seq: number): Frame => ({
  version: 1,
  type: MsgType.ACK,
  flags: Flag.RESPONSE,
  seq,
  payload: Buffer.alloc(0),
});

t.test('retransmits with the same seq, then resolves on the matching response', async (t) => {
  const sent: FrameInput[] = [];
  const tracker = new RequestTracker((f) => sent.push({ ...f }));
  const p = tracker.request(MsgType.COMMAND, Buffer.from([1]), {
    ackTimeoutMs: 20,
    retriesMax: 5,
    timeoutMs: 10_000,
    label,
  });
  while (sent.length < 3) await new Promise((r) => setTimeout(r, 5));
  t.same(
    sent.map((f) => f.seq),
    [1, 1, 1],
    'one seq for every attempt',
  );
  t.equal(sent[0]!.flags, Flag.ACK_REQUESTED);
  t.equal(sent[1]!.flags, Flag.ACK_REQUESTED | Flag.RETRANSMIT);
  t.equal(tracker.handleResponse(reply(99)), false, 'an unknown seq is ignored');
  t.equal(tracker.handleResponse(reply(1)), true);
  t.equal((await p).seq, 1);
  t.equal(tracker.handleResponse(reply(1)), false, 'a late duplicate is ignored');
  t.equal(tracker.inFlight, 0);
});

t.test('gives up with an error naming agent, request and seq', async (t) => {
  const tracker = new RequestTracker(() => {}, 8, 0xffff);
  const err = await tracker
    .request(MsgType.COMMAND, Buffer.alloc(0), { ackTimeoutMs: 10, retriesMax: 2, timeoutMs: 10_000, label })
    .catch((e: unknown) => e);
  t.type(err, RequestTimeoutError);
  t.equal((err as Error).message, 'Timeout after 30 ms [agent=a1 request=r-1 seq=65535]');
  const next = tracker.request(MsgType.PING, Buffer.alloc(0), {
    ackTimeoutMs: 1000,
    retriesMax: 0,
    timeoutMs: 1000,
    label,
  });
  tracker.handleResponse(reply(0));
  t.equal((await next).seq, 0, 'seq wraps from 65535 to 0');
});

t.test('in-flight limit and link loss', async (t) => {
  const tracker = new RequestTracker(() => {}, 2);
  const opts = { ackTimeoutMs: 5000, retriesMax: 0, timeoutMs: 5000, label };
  const a = tracker.request(MsgType.PING, Buffer.alloc(0), opts);
  const b = tracker.request(MsgType.PING, Buffer.alloc(0), opts);
  await t.rejects(
    tracker.request(MsgType.PING, Buffer.alloc(0), opts),
    /too many requests in flight \(pendingMax=2\) agent=a1/,
  );
  tracker.failAll('port /dev/x lost');
  await t.rejects(a, /^port \/dev\/x lost \[seq=1\]$/);
  await t.rejects(b, /^port \/dev\/x lost \[seq=2\]$/);
  t.equal(tracker.inFlight, 0, 'no timer or entry left');
});

t.test('agent ids derived from device uids fit the id alphabet', async (t) => {
  t.equal(agentIdFor('a1b2'), 'serial-a1b2');
  t.equal(agentIdFor('24:6f:28:aa/bb cc'), 'serial-24-6f-28-aa-bb-cc');
  t.equal(agentIdFor('x'.repeat(100)).length, 64);
});

t.test('a frame the link refuses fails the request at once and frees its slot', async (t) => {
  const tracker = new RequestTracker(() => {
    throw new RangeError('frame payload is 600 bytes, max 512');
  });
  await t.rejects(
    tracker.request(MsgType.COMMAND, Buffer.alloc(0), { ackTimeoutMs: 5000, retriesMax: 3, timeoutMs: 5000, label }),
    /max 512/,
  );
  t.equal(tracker.inFlight, 0);
});
