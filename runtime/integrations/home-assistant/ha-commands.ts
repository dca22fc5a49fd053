// A Home Assistant control's MQTT payload -> the agent command's parameters, or an error naming what is wrong.
import type { HaControl } from './entities.js';

/** bytes; HA sends ON, OFF, PRESS or a number */
export const HA_PAYLOAD_BYTES_MAX = 64;

export function commandParams(
  control: HaControl,
  payload: Buffer,
): { ok: true; params: Record<string, unknown> } | { ok: false; error: string } {
  if (payload.length > HA_PAYLOAD_BYTES_MAX) return { ok: false, error: `payload over ${HA_PAYLOAD_BYTES_MAX} bytes` };
  const text = payload.toString('utf8').trim();
  switch (control.kind) {
    case 'button':
      return text === 'PRESS' ? { ok: true, params: {} } : { ok: false, error: `button wants PRESS, got "${text}"` };
    case 'switch':
      if (text !== 'ON' && text !== 'OFF') return { ok: false, error: `switch wants ON or OFF, got "${text}"` };
      return { ok: true, params: { [control.param ?? 'on']: text === 'ON' } };
    case 'number': {
      const n = text === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(n)) return { ok: false, error: `number wants a number, got "${text}"` };
      if (control.integer && !Number.isInteger(n)) return { ok: false, error: `${control.param} must be an integer` };
      return { ok: true, params: { [control.param ?? 'value']: n } };
    }
  }
}
