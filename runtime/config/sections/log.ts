import { defineSection } from '../section.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LogConfig {
  level: LogLevel;
}

export const logSection = defineSection<LogConfig>('log', 'pino logging to stdout (one JSON object a line)', {
  properties: {
    level: {
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
      description: 'lowest level written',
    },
  },
});
