// The agent's own storage on the gateway: a key-value store and a files area with a quota. Each call is a request on
// storage/req answered on storage/reply, matched by requestId with a timeout that names the call.
import { randomUUID } from 'node:crypto';
import type { StorageReplyMessage, StorageRequestMessage } from '../runtime/bus/schemas/kernel-messages.js';
import { topics } from '../runtime/bus/topics.js';
import type { ClientLink } from './link.js';
import { RequestError } from './request-matcher.js';

export interface FileEntry {
  name: string;
  type: 'file' | 'dir' | 'other';
  bytes: number;
}

export interface StorageUsage {
  kvBytes: number;
  fileBytes: number;
  quotaBytes: number;
}

export class StorageClient {
  constructor(private readonly link: ClientLink) {}

  private async call<T>(req: Omit<StorageRequestMessage, 'requestId'>, what: string): Promise<T> {
    const requestId = randomUUID();
    const waiting = this.link.matcher.wait<StorageReplyMessage>(
      requestId,
      this.link.timeoutMs,
      `storage ${req.op}${what}`,
    );
    this.link.send(topics.agent(this.link.agentId, 'storageRequest'), { requestId, ...req });
    const reply = await waiting;
    if (!reply.ok) {
      const e = reply.error;
      throw new RequestError(e?.code ?? 'internal', `storage ${req.op}${what}: ${e?.message ?? 'failed'}`);
    }
    return reply.result as T;
  }

  /** called by the client for each storage/reply */
  reply(msg: unknown): void {
    const m = msg as StorageReplyMessage;
    if (typeof m?.requestId === 'string') this.link.matcher.resolve(m.requestId, m);
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    return this.call<{ value?: T }>({ op: 'kv.get', key }, ` key=${key}`).then((r) => r.value);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.call({ op: 'kv.set', key, value }, ` key=${key}`);
  }

  delete(key: string): Promise<boolean> {
    return this.call<{ deleted: boolean }>({ op: 'kv.delete', key }, ` key=${key}`).then((r) => r.deleted);
  }

  keys(prefix = ''): Promise<string[]> {
    return this.call<{ keys: string[] }>({ op: 'kv.keys', prefix }, ` prefix=${prefix}`).then((r) => r.keys);
  }

  async writeFile(path: string, data: Buffer | string): Promise<void> {
    const b = typeof data === 'string' ? Buffer.from(data) : data;
    await this.call({ op: 'file.write', path, data: b.toString('base64') }, ` path=${path}`);
  }

  readFile(path: string): Promise<Buffer> {
    return this.call<{ data: string }>({ op: 'file.read', path }, ` path=${path}`).then((r) =>
      Buffer.from(r.data, 'base64'),
    );
  }

  deleteFile(path: string): Promise<boolean> {
    return this.call<{ deleted: boolean }>({ op: 'file.delete', path }, ` path=${path}`).then((r) => r.deleted);
  }

  listFiles(path = ''): Promise<FileEntry[]> {
    return this.call<{ entries: FileEntry[] }>({ op: 'file.list', ...(path ? { path } : {}) }, ` path=${path}`).then(
      (r) => r.entries,
    );
  }

  usage(): Promise<StorageUsage> {
    return this.call<StorageUsage>({ op: 'usage' }, '');
  }
}
