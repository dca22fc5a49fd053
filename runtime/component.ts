// What the gateway composes. A component's constructor does no I/O; start() and stop() are async and idempotent, and
// stop() leaves no timer, socket or listener behind. Components start in list order and stop in reverse.
import type { Logger } from 'pino';
import type { BrokerAccess } from './bus/access.js';
import type { ApiRouter } from './bus/api-router.js';
import type { Bus } from './bus/bus.js';
import type { MessageValidator } from './bus/validator.js';
import type { Config } from './config/schema.js';
import type { HealthReporter } from './health.js';
import type { ResourceAccounting } from './kernel/accounting/resource-accounting.js';
import type { DedupWindow } from './kernel/dedup/dedup-window.js';
import type { CommandDispatcher } from './kernel/registry/commands.js';
import type { AgentRegistry } from './kernel/registry/registry.js';
import type { Store } from './store/store.js';

export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** the typed services every component may use; passed to component factories (no module-level singletons) */
export interface GatewayContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly bus: Bus;
  /** the embedded broker's access control; null in external-broker mode */
  readonly access: BrokerAccess | null;
  readonly store: Store;
  readonly validator: MessageValidator;
  readonly registry: AgentRegistry;
  readonly commands: CommandDispatcher;
  readonly api: ApiRouter;
  readonly health: HealthReporter;
  /** drops repeats of durable messages (by msgId) resent by the SDK outbox; journaled under the data dir */
  readonly dedup: DedupWindow;
  /** per-agent and gateway resource use; observedUse(agentId) fills the scheduler's view (started by the kernel) */
  readonly accounting: ResourceAccounting;
}

export type ComponentFactory = (ctx: GatewayContext) => Component;
