// The scheduler's traffic with agents over the bus: assignments out on agents/{id}/task/assign (QoS1), progress and
// results in from agents/{id}/task/update (checked against the schema; a durable update resent under the same msgId
// is dropped by the gateway's dedup window), and "stop working on this task" as the agent command `task.cancel`
// (the SDK's task runner aborts the handler). Delivery problems only log: the lifecycle's timeouts recover.
import type { Logger } from 'pino';
import type { Bus, Unsubscribe } from '../bus/bus.js';
import { publishError } from '../bus/publish-error.js';
import type { TaskAssignMessage, TaskUpdateMessage } from '../bus/schemas/task-messages.js';
import { parseAgentTopic, topics } from '../bus/topics.js';
import type { MessageValidator } from '../bus/validator.js';
import type { DedupWindow } from '../kernel/dedup/dedup-window.js';
import type { CommandDispatcher } from '../kernel/registry/commands.js';
import type { AgentRegistry } from '../kernel/registry/registry.js';

export interface DispatcherOptions {
  bus: Bus;
  validator: MessageValidator;
  registry: AgentRegistry;
  commands: CommandDispatcher;
  dedup: DedupWindow;
  gatewayId: string;
  logger: Logger;
  /** a checked update from the agent */
  onUpdate(agentId: string, update: TaskUpdateMessage): void;
  /** how long the agent has to answer a task.cancel command */
  cancelTimeoutMs: number;
}

export interface DispatcherStats {
  assignsSent: number;
  updatesIn: number;
  updatesRefused: number;
  updatesRepeated: number;
  cancelsSent: number;
}

/** the agent command that stops a task (the SDK handles it) */
export const TASK_CANCEL_COMMAND = 'task.cancel';

export class TaskDispatcher {
  readonly stats: DispatcherStats = {
    assignsSent: 0,
    updatesIn: 0,
    updatesRefused: 0,
    updatesRepeated: 0,
    cancelsSent: 0,
  };
  #off: Unsubscribe | undefined;

  constructor(private readonly o: DispatcherOptions) {}

  async start(): Promise<void> {
    if (this.#off) return;
    this.#off = await this.o.bus.subscribe(topics.anyAgent('taskUpdate'), (topic, payload) =>
      this.#receive(topic, payload),
    );
  }

  async stop(): Promise<void> {
    const off = this.#off;
    this.#off = undefined;
    await off?.();
  }

  assign(agentId: string, message: TaskAssignMessage): void {
    this.stats.assignsSent++;
    this.o.bus
      .publish(topics.agent(agentId, 'taskAssign'), JSON.stringify(message), { qos: 1 })
      .catch((err: unknown) => this.o.logger.warn({ err, agentId, taskId: message.taskId }, 'task assign not sent'));
  }

  cancel(agentId: string, taskId: string, reason: string): void {
    const agent = this.o.registry.get(agentId);
    if (!agent || agent.status === 'offline') return;
    this.stats.cancelsSent++;
    this.o.commands
      .send({ agentId, name: TASK_CANCEL_COMMAND, params: { taskId, reason }, timeoutMs: this.o.cancelTimeoutMs })
      .then((r) => {
        if (!r.ok) this.o.logger.debug({ agentId, taskId, reply: r }, 'agent did not cancel the task');
      })
      .catch((err: unknown) => this.o.logger.debug({ err, agentId, taskId }, 'task cancel not delivered'));
  }

  #receive(topic: string, payload: Buffer): void {
    const parsed = parseAgentTopic(topic);
    if (!parsed) return;
    const { agentId } = parsed;
    const m = this.o.validator.parse<TaskUpdateMessage>('taskUpdate', payload);
    if (!m.ok) {
      this.stats.updatesRefused++;
      publishError(this.o.bus, topics.agent(agentId, 'error'), topic, this.o.gatewayId, m.error);
      return;
    }
    const u = m.value;
    if (u.msgId !== undefined && !this.o.dedup.accept(agentId, u.msgId)) {
      this.stats.updatesRepeated++;
      return;
    }
    this.stats.updatesIn++;
    if (this.o.registry.get(agentId)) this.o.registry.touch(agentId);
    this.o.onUpdate(agentId, u);
  }
}
