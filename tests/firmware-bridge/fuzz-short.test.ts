// The CI-sized fuzz pass (50k frames per end); `npm run bench -- fuzz-bridge` runs the 1M-frame one.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { fuzzC } from '../../bench/fuzz-bridge/c-fuzz.js';
import { fuzzTs } from '../../bench/fuzz-bridge/ts-fuzz.js';
import { buildC } from './fixtures/c-build.js';

const FRAMES = 50_000;

t.test('TypeScript decoder: no crash, bounded buffer, frames after garbage decode', async (t) => {
  const r = fuzzTs(FRAMES, 7);
  t.equal(r.crashes, 0);
  t.equal(r.decoded_after_garbage, true, `${r.probesDecoded}/${r.probes} probes decoded`);
  t.ok(r.probes > FRAMES / 2, 'most rounds ended with a probe');
  t.equal(r.bufferBytesMax, 524, 'the buffer never grew');
  t.ok(r.errors > 0 && r.decoded > 0, 'both errors and frames were seen');
});

t.test('C decoder and device state machine under ASan/UBSan', async (t) => {
  const build = buildC(['fuzz_decoder']);
  t.teardown(() => build.remove());
  const sanitized =
    spawnSync('sh', ['-c', 'echo "int main(void){return 0;}" | gcc -x c -fsanitize=address,undefined -o /dev/null -'])
      .status === 0;
  const r = fuzzC(build.path('fuzz_decoder'), FRAMES, 7, sanitized);
  t.equal(r.crashes, 0, r.stderrTail);
  t.equal(r.decoded_after_garbage, true);
  t.ok(Number(r.detail?.['deviceFrames']) > 0, 'frames reached the device state machine');
});
