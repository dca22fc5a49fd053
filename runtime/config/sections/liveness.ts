import { defineSection } from '../section.js';

export interface LivenessConfig {
  /** an agent not heard from for this long is marked offline */
  heartbeatTimeoutMs: number;
  /** how often the table is scanned for silent agents */
  checkIntervalMs: number;
}

export const livenessSection = defineSection<LivenessConfig>('liveness', 'agent liveness (last will + heartbeats)', {
  properties: {
    heartbeatTimeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 86400000,
      default: 60000,
      description: 'mark an agent offline after this long without a message from it',
    },
    checkIntervalMs: {
      type: 'integer',
      minimum: 10,
      maximum: 60000,
      default: 1000,
      description: 'scan for silent agents this often',
    },
  },
});
