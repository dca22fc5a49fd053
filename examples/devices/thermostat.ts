// A simulated thermostat: climate.set command; the room temperature moves toward the setpoint; the setpoint is
// kept in the agent's storage on the gateway, so it survives a restart of the device.
//   node --import tsx examples/devices/thermostat.ts --url mqtt://127.0.0.1:1883 --id thermo-1
import { deviceClient, stopOnSignal } from './common.js';

const thermo = deviceClient('thermo-1', {
  kind: 'device',
  capabilities: ['climate.set'],
  metadata: { room: 'living' },
});
let setpointC = 21;
let temperatureC = 18;

thermo.onCommand<{ setpointC: number }>('climate.set', async (p) => {
  if (typeof p.setpointC !== 'number' || p.setpointC < 5 || p.setpointC > 30)
    throw new Error('setpointC must be 5..30');
  setpointC = p.setpointC;
  await thermo.storage.set('setpointC', setpointC);
  thermo.state({ setpointC });
  return { setpointC };
});

const timer = setInterval(() => {
  temperatureC += (setpointC - temperatureC) * 0.1;
  const heating = temperatureC < setpointC - 0.2;
  thermo.telemetry({ temperatureC: Math.round(temperatureC * 10) / 10, heating });
}, 1000);
stopOnSignal(thermo, [timer]);
await thermo.start();
thermo.once('connect', async () => {
  const saved = await thermo.storage.get<number>('setpointC').catch(() => undefined);
  if (typeof saved === 'number') setpointC = saved;
  thermo.state({ setpointC });
});
