// The gateway's pino logger: JSON lines on stdout (or a given stream), the gateway id on every line.
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config/sections/log.js';

export function createLogger(level: LogLevel, gatewayId: string, destination?: DestinationStream): Logger {
  const options = { level, base: { gw: gatewayId } };
  return destination ? pino(options, destination) : pino(options);
}
