// Messages of the Home Assistant bridge (runtime/integrations/home-assistant): what the gateway publishes for HA to
// read, and what HA's controls send back. Discovery configs themselves follow Home Assistant's own MQTT discovery
// schema and are not repeated here.
import { scalarMapSchema } from './common.js';

export const haStateSchema = {
  $id: 'agentos/v1/ha-state',
  title: "an agent's values for Home Assistant (retained, at most once per homeAssistant.stateIntervalMs)",
  type: 'object',
  additionalProperties: false,
  required: ['status', 'values'],
  properties: {
    status: { enum: ['online', 'busy', 'offline', 'failed'] },
    values: { ...scalarMapSchema, description: 'last value of each telemetry key' },
    updatedAtMs: { type: 'integer', minimum: 0 },
  },
};

export const haCommandSchema = {
  $id: 'agentos/v1/ha-command',
  title: 'a Home Assistant control (plain text, not JSON)',
  type: 'string',
  maxLength: 64,
  description: 'ON or OFF (switch), PRESS (button), a decimal number (number); anything else is refused',
};
