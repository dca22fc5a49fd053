// Public surface of the TypeScript codec of the firmware bridge.
export * from './cobs.js';
export * from './constants.js';
export * from './crc.js';
export * from './decoder-stream.js';
export * from './frame.js';
export * from './frame-decoder.js';
export * from './messages.js';
export * from './tlv.js';
