import { defineSection } from '../section.js';

export interface StoreConfig {
  /** directory of the gateway's state; relative paths are from the working directory */
  dataDir: string;
  /** batch window: changes are written at most once per this interval */
  flushIntervalMs: number;
}

export const storeSection = defineSection<StoreConfig>('store', 'local state on disk (lowdb, batched writes)', {
  properties: {
    dataDir: { type: 'string', minLength: 1, default: './data', description: 'directory of the state files' },
    flushIntervalMs: {
      type: 'integer',
      minimum: 10,
      maximum: 60000,
      default: 1000,
      description: 'write changes at most once per this interval',
    },
  },
});
