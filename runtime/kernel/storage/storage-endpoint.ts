// Storage over MQTT: an agent's request on agentos/v1/agents/{id}/storage/req works on that agent's own namespace
// (the broker ACL lets a client publish only under its own id) and is answered on .../storage/reply.
import type { Logger } from 'pino';
import type { Bus, Unsubscribe } from '../../bus/bus.js';
import type { ErrorBody } from '../../bus/schemas/api-messages.js';
import {
  STORAGE_OP_FIELDS,
  type StorageReplyMessage,
  type StorageRequestMessage,
} from '../../bus/schemas/kernel-messages.js';
import { parseAgentTopic, topics } from '../../bus/topics.js';
import type { MessageValidator } from '../../bus/validator.js';
import type { AgentRegistry } from '../registry/registry.js';
import { StorageError } from './safe-path.js';
import type { StorageService } from './storage-service.js';

export interface StorageEndpointOptions {
  bus: Bus;
  validator: MessageValidator;
  registry: AgentRegistry;
  storage: StorageService;
  logger: Logger;
}

function errorBody(err: unknown): ErrorBody {
  if (!(err instanceof StorageError)) return { code: 'internal', message: (err as Error).message };
  const field =
    err.code === 'EKEY' ? 'key' : err.code === 'EVALUE' ? 'value' : err.code === 'EQUOTA' ? undefined : 'path';
  const code = err.code === 'EQUOTA' ? 'limit_reached' : err.code === 'ENOENT' ? 'not_found' : 'bad_message';
  return { code, message: err.message, ...(field && err.code !== 'ENOENT' ? { field } : {}) };
}

export class StorageEndpoint {
  private off: Unsubscribe | undefined;

  constructor(private readonly o: StorageEndpointOptions) {}

  async start(): Promise<void> {
    if (this.off) return;
    this.off = await this.o.bus.subscribe(topics.anyAgent('storageRequest'), (topic, payload) =>
      this.receive(topic, payload),
    );
  }

  async stop(): Promise<void> {
    const off = this.off;
    this.off = undefined;
    await off?.();
  }

  private receive(topic: string, payload: Buffer): void {
    const parsed = parseAgentTopic(topic);
    if (!parsed) return;
    const agentId = parsed.agentId;
    const m = this.o.validator.parse<StorageRequestMessage>('storageRequest', payload);
    let reply: StorageReplyMessage;
    if (!m.ok) {
      const requestId = guessRequestId(payload);
      if (requestId === null) return; // nothing to answer to; the validator's error is not worth a flood
      reply = { requestId, ok: false, error: m.error };
    } else reply = this.handle(agentId, m.value);
    this.o.bus
      .publish(topics.agent(agentId, 'storageReply'), JSON.stringify(reply), { qos: 1 })
      .catch((err: unknown) => {
        this.o.logger.warn({ err, agentId }, 'cannot publish storage reply');
      });
  }

  private handle(agentId: string, req: StorageRequestMessage): StorageReplyMessage {
    const { requestId } = req;
    if (!this.o.registry.get(agentId)) {
      return { requestId, ok: false, error: { code: 'not_registered', message: `agent ${agentId} is not registered` } };
    }
    for (const f of STORAGE_OP_FIELDS[req.op]) {
      if (req[f] === undefined) {
        return { requestId, ok: false, error: { code: 'bad_message', message: `${req.op} needs ${f}`, field: f } };
      }
    }
    try {
      return { requestId, ok: true, result: this.run(agentId, req) };
    } catch (err) {
      if (!(err instanceof StorageError)) this.o.logger.error({ err, agentId, op: req.op }, 'storage request failed');
      return { requestId, ok: false, error: errorBody(err) };
    }
  }

  private run(agentId: string, r: StorageRequestMessage): unknown {
    const ns = this.o.storage.ns(agentId);
    switch (r.op) {
      case 'kv.get': {
        const value = ns.kvGet(r.key!);
        return value === undefined ? {} : { value };
      }
      case 'kv.set':
        ns.kvSet(r.key!, r.value);
        return {};
      case 'kv.delete':
        return { deleted: ns.kvDelete(r.key!) };
      case 'kv.keys':
        return { keys: ns.kvKeys(r.prefix ?? '') };
      case 'file.write': {
        const data = Buffer.from(r.data!, 'base64');
        ns.writeFile(r.path!, data);
        return { bytes: data.length };
      }
      case 'file.read':
        return { data: ns.readFile(r.path!).toString('base64') };
      case 'file.delete':
        return { deleted: ns.deleteFile(r.path!) };
      case 'file.list':
        return { entries: ns.listFiles(r.path ?? '') };
      case 'usage':
        return ns.usage();
    }
  }
}

/** the requestId of a message that failed validation, when there is one to answer */
function guessRequestId(payload: Buffer): string | null {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { requestId?: unknown };
    return typeof v?.requestId === 'string' && v.requestId.length > 0 && v.requestId.length <= 128 ? v.requestId : null;
  } catch {
    return null;
  }
}
