import { defineSection, intSetting } from '../section.js';

export interface KernelConfig {
  /** supervised software agents installed at once */
  agentsMax: number;
  /** cpu/rss sampling and memory-limit check period of supervised agents */
  pollMs: number;
  /** one agent log file rotates at this size */
  logBytesMax: number;
  /** log files kept per agent (current plus rotated) */
  logFilesMax: number;
  /** per-agent storage quota (kv plus files) */
  storageQuotaBytes: number;
  /** messages waiting in one agent's mailbox */
  mailboxQueueLengthMax: number;
  /** bytes waiting in one agent's mailbox */
  mailboxQueueBytesMax: number;
  /** message ids remembered to drop resent durable messages */
  dedupWindowMax: number;
  /** resource-accounting rate window */
  accountingWindowMs: number;
}

const int = intSetting;

export const kernelSection = defineSection<KernelConfig>(
  'kernel',
  'agent kernel: supervised software agents, storage, mailboxes, dedup, accounting',
  {
    properties: {
      agentsMax: int(1, 10000, 64, 'supervised software agents installed at once'),
      pollMs: int(50, 60000, 500, 'sample cpu/rss and check memory limits this often'),
      logBytesMax: int(1024, 1073741824, 1048576, 'rotate an agent log file at this size, bytes'),
      logFilesMax: int(1, 100, 3, 'log files kept per agent'),
      storageQuotaBytes: int(0, 1099511627776, 16777216, 'per-agent storage quota (kv plus files), bytes'),
      mailboxQueueLengthMax: int(1, 1000000, 1000, 'messages waiting in one agent mailbox'),
      mailboxQueueBytesMax: int(1024, 1073741824, 4194304, 'bytes waiting in one agent mailbox'),
      dedupWindowMax: int(16, 10000000, 65536, 'durable message ids remembered to drop resends'),
      accountingWindowMs: int(100, 60000, 1000, 'resource accounting rate window, ms'),
    },
  },
);
