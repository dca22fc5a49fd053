// A simulated robot arm: move.to tasks with progress, a battery that drains while moving and charges when idle,
// and a handover note to the next station's mailbox after each move.
//   node --import tsx examples/devices/robot-arm.ts --url mqtt://127.0.0.1:1883 --id arm-1
import { deviceClient, stopOnSignal } from './common.js';

const arm = deviceClient('arm-1', {
  kind: 'robot',
  capabilities: ['move.to', 'pick'],
  capacity: { cpu: 1, memoryMb: 512 },
  metadata: { reachMm: 850 },
});
let battery = 1;
const pos = { x: 0, y: 0, z: 0 };

arm.onTask<{ x: number; y: number; z: number; handoverTo?: string }>('move.to', async (target, ctx) => {
  const steps = 10;
  const start = { ...pos };
  for (let i = 1; i <= steps; i++) {
    if (ctx.signal.aborted) throw new Error('move aborted');
    await new Promise((r) => setTimeout(r, 50));
    for (const k of ['x', 'y', 'z'] as const) pos[k] = start[k] + ((target[k] - start[k]) * i) / steps;
    battery = Math.max(0, battery - 0.002);
    ctx.progress(i / steps);
  }
  arm.state({ pos });
  if (target.handoverTo) arm.mailbox.send(target.handoverTo, { pos }, { subject: 'handover' });
  return { pos, battery };
});

const timer = setInterval(() => {
  battery = Math.min(1, battery + 0.001);
  arm.telemetry({ x: pos.x, y: pos.y, z: pos.z }, { use: { battery, cpu: 0.05 } });
}, 1000);
stopOnSignal(arm, [timer]);
await arm.start();
