// Child process of bench/ingest.ts: D devices on raw TCP connections. Messages from the parent (IPC):
//   { cmd: 'connect', port, devices, prefix, agentsPerDevice? }
//                                              -> connects, sends each device's hello (or agentsPerDevice hellos for
//                                                 ids PREFIX{device}-{k}), replies { ok: 'connected' }
//   { cmd: 'blast', perDevice }                -> writes perDevice telemetry messages per device as fast as the
//                                                 sockets take them, replies { ok: 'written' }
//   { cmd: 'steady', ratePerS }                -> keeps sending ratePerS messages/s in total until 'stop'
//   { cmd: 'stop' }                            -> ends the steady load, disconnects, exits
import { connect, type Socket } from 'node:net';
import { connectPacket, DISCONNECT, publishPacket } from './mqtt-raw.js';

interface Device {
  id: string;
  socket: Socket;
  seq: number;
}

const devices: Device[] = [];
let steadyTimer: NodeJS.Timeout | undefined;

function send(msg: unknown): void {
  process.send?.(msg);
}

function telemetry(d: Device): Buffer {
  d.seq++;
  const seq = 100000 + (d.seq % 900000); // always 6 digits: every packet has the same length
  const payload = `{"values":{"t":21.5,"seq":${seq}},"use":{"cpu":0.1}}`;
  return publishPacket(`agentos/v1/agents/${d.id}/telemetry`, payload);
}

function open(port: number, id: string): Promise<Device> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('data', (data) => {
      // CONNACK: 0x20 0x02 flags rc [MQTT-3.2]
      if (data[0] !== 0x20 || data[3] !== 0) reject(new Error(`connection refused for ${id}: ${data.toString('hex')}`));
      else resolve({ id, socket, seq: 0 });
    });
    socket.write(connectPacket(id));
  });
}

async function write(socket: Socket, buf: Buffer): Promise<void> {
  if (!socket.write(buf)) await new Promise((resolve) => socket.once('drain', resolve));
}

/** one pre-built chunk per device, written again and again: the generator must stay far cheaper than the broker */
async function blast(perDevice: number): Promise<void> {
  const chunk = 500;
  await Promise.all(
    devices.map(async (d) => {
      const full = Buffer.concat(Array.from({ length: chunk }, () => telemetry(d)));
      const one = full.length / chunk; // all packets of a chunk have the same length (same payload shape)
      for (let sent = 0; sent < perDevice; sent += chunk) {
        const n = Math.min(chunk, perDevice - sent);
        await write(d.socket, n === chunk ? full : full.subarray(0, n * one));
      }
    }),
  );
}

function steady(ratePerS: number): void {
  const tickMs = 10;
  const perTick = (ratePerS * tickMs) / 1000;
  let owed = 0;
  let next = 0;
  steadyTimer = setInterval(() => {
    owed += perTick;
    while (owed >= 1) {
      const d = devices[next++ % devices.length] as Device;
      d.socket.write(telemetry(d));
      owed--;
    }
  }, tickMs);
}

process.on('message', async (msg: { cmd: string; [k: string]: unknown }) => {
  try {
    if (msg.cmd === 'connect') {
      const {
        port,
        devices: n,
        prefix,
        agentsPerDevice,
      } = msg as unknown as {
        port: number;
        devices: number;
        prefix: string;
        agentsPerDevice?: number;
      };
      const hello = '{"kind":"device","capabilities":["sensor.read"]}';
      for (let i = 0; i < n; i++) {
        const d = await open(port, `${prefix}${i}`);
        if (agentsPerDevice === undefined) d.socket.write(publishPacket(`agentos/v1/agents/${d.id}/hello`, hello));
        for (let k = 0; k < (agentsPerDevice ?? 0); k++) {
          d.socket.write(publishPacket(`agentos/v1/agents/${d.id}-${k}/hello`, hello));
        }
        devices.push(d);
      }
      send({ ok: 'connected' });
    } else if (msg.cmd === 'blast') {
      await blast(msg['perDevice'] as number);
      send({ ok: 'written' });
    } else if (msg.cmd === 'steady') {
      steady(msg['ratePerS'] as number);
      send({ ok: 'steady' });
    } else if (msg.cmd === 'stop') {
      clearInterval(steadyTimer);
      await Promise.all(devices.map((d) => new Promise<void>((resolve) => d.socket.end(DISCONNECT, () => resolve()))));
      process.exit(0);
    }
  } catch (err) {
    send({ error: (err as Error).message });
  }
});
