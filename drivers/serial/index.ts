// Public surface of the serial driver.
export { registerEvent, splitTelemetry } from './caps-to-agent.js';
export { type SerialLink, type SerialLinkHandlers, type SerialOpener, serialPortOpener } from './link.js';
export type { SerialDriverOptions, SerialPortConfig } from './options.js';
export { type OtaJob, OtaQueue, type OtaQueueOptions } from './ota-queue.js';
export { OtaError, type OtaOptions, type OtaProgress, type OtaResult, sendOta } from './ota-sender.js';
export { RequestTimeoutError } from './request-tracker.js';
export { SerialDriver } from './serial-driver.js';
