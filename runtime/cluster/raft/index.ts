// Public surface of the Raft core.
export { type ConfChange, decodeConfEntry } from './membership.js';
export { DEFAULT_RAFT_CONFIG, type RaftInit, RaftNode, type RaftStatus } from './node.js';
export { SeededRng } from './prng.js';
export * from './types.js';
