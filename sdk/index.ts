// The AgentOS Edge SDK for devices and software agents. See README.md.
export { AgentClient, type AgentClientOptions, type CommandHandler } from './agent-client.js';
export type { BackoffOptions } from './backoff.js';
export { optionsFromEnv } from './env.js';
export type { MailHandler, MailMessage } from './mailbox-client.js';
export { MailboxClient } from './mailbox-client.js';
export { Outbox, OutboxFullError, type OutboxMessage, type OutboxOptions } from './outbox.js';
export { RequestError, RequestTimeoutError } from './request-matcher.js';
export { type FileEntry, StorageClient, type StorageUsage } from './storage-client.js';
export { TaskClient, type TaskRecord, type TaskState, type TaskSubmitParams } from './task-client.js';
export type { TaskContext, TaskHandler } from './task-runner.js';
