import { defineSection } from '../section.js';

export interface ProtocolConfig {
  /** messages larger than this are refused with an error reply */
  messageBytesMax: number;
  /** the agent table refuses new agents beyond this */
  agentsMax: number;
  /** commands waiting for a device reply, gateway-wide */
  pendingCommandsMax: number;
  /** timeout of a command when the request names none */
  commandTimeoutMsDefault: number;
  /** upper bound on a requested command timeout */
  commandTimeoutMsMax: number;
}

export const protocolSection = defineSection<ProtocolConfig>(
  'protocol',
  'limits of the agent protocol and gateway API',
  {
    properties: {
      messageBytesMax: {
        type: 'integer',
        minimum: 1024,
        maximum: 16777216,
        default: 262144,
        description: 'largest accepted message, bytes',
      },
      agentsMax: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000, description: 'largest agent table' },
      pendingCommandsMax: {
        type: 'integer',
        minimum: 1,
        maximum: 100000,
        default: 1000,
        description: 'commands awaiting a reply at once',
      },
      commandTimeoutMsDefault: {
        type: 'integer',
        minimum: 1,
        maximum: 600000,
        default: 5000,
        description: 'command timeout when none is given',
      },
      commandTimeoutMsMax: {
        type: 'integer',
        minimum: 1,
        maximum: 3600000,
        default: 60000,
        description: 'largest command timeout a request may ask',
      },
    },
  },
);
