// Commands to agents over the native protocol: publish on agents/{id}/cmd, match the reply on agents/{id}/cmd/reply
// by requestId, give up after timeoutMs with an error naming the request. Pending commands are bounded.
import type { Logger } from 'pino';
import type { CommandResult } from '../../../drivers/driver.js';
import type { Bus, Unsubscribe } from '../../bus/bus.js';
import { publishError } from '../../bus/publish-error.js';
import type { ErrorBody } from '../../bus/schemas/api-messages.js';
import type { CommandMessage, CommandReplyMessage } from '../../bus/schemas/command-messages.js';
import { parseAgentTopic, topics } from '../../bus/topics.js';
import type { MessageValidator } from '../../bus/validator.js';
import type { AgentRegistry } from './registry.js';

export interface CommandDispatcherOptions {
  bus: Bus;
  registry: AgentRegistry;
  validator: MessageValidator;
  gatewayId: string;
  pendingCommandsMax: number;
  timeoutMsDefault: number;
  timeoutMsMax: number;
  logger: Logger;
}

export interface CommandRequest {
  agentId: string;
  name: string;
  params?: Record<string, unknown> | undefined;
  timeoutMs?: number | undefined;
}

/** an error with a protocol error code, so the API can answer with it */
export class CommandError extends Error {
  readonly body: ErrorBody;
  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'CommandError';
    this.body = body;
  }
}

interface Pending {
  agentId: string;
  resolve: (r: CommandResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class CommandDispatcher {
  readonly #o: CommandDispatcherOptions;
  readonly #pending = new Map<string, Pending>();
  #seq = 0;
  #prefix = '';
  #off: Unsubscribe | undefined;

  constructor(options: CommandDispatcherOptions) {
    this.#o = options;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  async start(): Promise<void> {
    if (this.#off) return;
    // request ids stay unique across restarts of the same gateway
    this.#prefix = `${this.#o.gatewayId}-${Date.now().toString(36)}-`;
    this.#off = await this.#o.bus.subscribe(topics.anyAgent('commandReply'), (t, p) => this.#onReply(t, p));
  }

  async stop(): Promise<void> {
    const off = this.#off;
    this.#off = undefined;
    for (const [requestId, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new CommandError({ code: 'unavailable', message: `gateway stopping [request=${requestId}]` }));
    }
    this.#pending.clear();
    await off?.();
  }

  /** resolves with the agent's reply (ok or not); rejects with CommandError when it cannot be delivered or times out */
  send(request: CommandRequest): Promise<CommandResult> {
    const { registry, pendingCommandsMax, timeoutMsDefault, timeoutMsMax } = this.#o;
    if (!this.#off)
      return Promise.reject(new CommandError({ code: 'unavailable', message: 'command dispatcher not started' }));
    const agent = registry.get(request.agentId);
    if (!agent) return rejectWith('not_found', `agent ${request.agentId} is not registered`, 'agentId');
    if (agent.status === 'offline') return rejectWith('unavailable', `agent ${request.agentId} is offline`, 'agentId');
    if (this.#pending.size >= pendingCommandsMax) {
      return rejectWith(
        'limit_reached',
        `${this.#pending.size} commands pending (pendingCommandsMax ${pendingCommandsMax})`,
      );
    }
    const timeoutMs = Math.min(request.timeoutMs ?? timeoutMsDefault, timeoutMsMax);
    const requestId = `${this.#prefix}${++this.#seq}`;
    const message: CommandMessage = { requestId, name: request.name, params: request.params ?? {}, timeoutMs };
    return new Promise<CommandResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        const what = `[agent=${request.agentId} command=${request.name} request=${requestId}]`;
        reject(new CommandError({ code: 'timeout', message: `Timeout after ${timeoutMs} ms ${what}` }));
      }, timeoutMs);
      this.#pending.set(requestId, { agentId: request.agentId, resolve, reject, timer });
      this.#o.bus
        .publish(topics.agent(request.agentId, 'command'), JSON.stringify(message), { qos: 1 })
        .catch((err: Error) => {
          if (!this.#pending.delete(requestId)) return;
          clearTimeout(timer);
          reject(
            new CommandError({ code: 'unavailable', message: `cannot publish command ${requestId}: ${err.message}` }),
          );
        });
    });
  }

  #onReply(topic: string, payload: Buffer): void {
    const parsed = parseAgentTopic(topic);
    if (!parsed) return;
    const m = this.#o.validator.parse<CommandReplyMessage>('commandReply', payload);
    if (!m.ok) {
      publishError(this.#o.bus, topics.agent(parsed.agentId, 'error'), topic, this.#o.gatewayId, m.error);
      return;
    }
    this.#o.registry.touch(parsed.agentId);
    const pending = this.#pending.get(m.value.requestId);
    // a late reply (after the timeout) or one from another agent is dropped: the caller already has its answer
    if (!pending || pending.agentId !== parsed.agentId) {
      this.#o.logger.debug({ topic, requestId: m.value.requestId }, 'command reply without a pending request');
      return;
    }
    this.#pending.delete(m.value.requestId);
    clearTimeout(pending.timer);
    const r = m.value;
    pending.resolve({
      requestId: r.requestId,
      ok: r.ok,
      code: r.code ?? (r.ok ? 0 : 1),
      ...(r.result !== undefined ? { result: r.result } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
    });
  }
}

function rejectWith(code: ErrorBody['code'], message: string, field?: string): Promise<never> {
  return Promise.reject(new CommandError({ code, message, ...(field ? { field } : {}) }));
}
