// A simulated smart lamp: light.set command, on/brightness state, power telemetry.
//   node --import tsx examples/devices/lamp.ts --url mqtt://127.0.0.1:1883 --id lamp-1
import { deviceClient, stopOnSignal } from './common.js';

const lamp = deviceClient('lamp-1', { kind: 'device', capabilities: ['light.set'], metadata: { room: 'kitchen' } });
const state = { on: false, brightness: 100 };

lamp.onCommand<{ on?: boolean; brightness?: number }>('light.set', (p) => {
  if (p.brightness !== undefined && (p.brightness < 0 || p.brightness > 100))
    throw new Error('brightness must be 0..100');
  if (p.on !== undefined) state.on = p.on;
  if (p.brightness !== undefined) state.brightness = p.brightness;
  lamp.state(state);
  return state;
});

const timer = setInterval(() => {
  lamp.telemetry({ powerW: state.on ? (9 * state.brightness) / 100 : 0.3 }, { use: { cpu: 0.01 } });
}, 2000);
stopOnSignal(lamp, [timer]);
await lamp.start();
lamp.state(state);
