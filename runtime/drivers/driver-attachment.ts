// A driver wired into the gateway: its events feed the agent table, commands the dispatcher publishes for its agents
// (agents/{id}/cmd) are answered on their reply topic like any MQTT agent's, and an open, handshaken link keeps its
// agent alive also while the device sends no telemetry. Shared by the serial and BLE components.
import type { AgentCommand, Driver } from '../../drivers/driver.js';
import type { CommandMessage, CommandReplyMessage } from '../bus/schemas/command-messages.js';
import { parseAgentTopic, topics } from '../bus/topics.js';
import type { GatewayContext } from '../component.js';

const ERROR_CHARS_MAX = 2048;

export interface LinkDriver extends Driver {
  /** agents whose link is open and handshaken */
  onlineAgents(): string[];
}

/** Starts the driver and wires it in; the returned function unwires it (the caller stops the driver after). */
export async function attachDriver(ctx: GatewayContext, driver: LinkDriver): Promise<() => Promise<void>> {
  const { registry, logger, bus, config } = ctx;
  const log = logger.child({ component: driver.name });
  await driver.start({
    emit: (e) => {
      const r = registry.apply(e);
      if (!r.ok) log.debug({ event: e.type, agentId: e.agentId, error: r.error }, 'agent event refused');
    },
    logger: log,
  });
  const off = await bus.subscribe(topics.anyAgent('command'), (topic, payload) =>
    onCommand(ctx, driver, topic, payload),
  );
  const timer = setInterval(() => {
    for (const id of driver.onlineAgents()) registry.touch(id);
  }, config.liveness.checkIntervalMs);
  return async () => {
    clearInterval(timer);
    await off();
  };
}

function onCommand(ctx: GatewayContext, driver: LinkDriver, topic: string, payload: Buffer): void {
  const parsed = parseAgentTopic(topic);
  if (!parsed || !driver.owns(parsed.agentId)) return;
  const m = ctx.validator.parse<CommandMessage>('command', payload);
  if (!m.ok) return; // the dispatcher only publishes valid commands; anything else is not ours to answer
  const cmd: AgentCommand = { agentId: parsed.agentId, ...m.value };
  driver.sendCommand(cmd).then(
    (r) => reply(ctx, driver.name, parsed.agentId, { ...r }),
    (err: Error) =>
      reply(ctx, driver.name, parsed.agentId, {
        requestId: cmd.requestId,
        ok: false,
        code: -1,
        error: err.message.slice(0, ERROR_CHARS_MAX),
      }),
  );
}

function reply(ctx: GatewayContext, driverName: string, agentId: string, r: CommandReplyMessage): void {
  const body: CommandReplyMessage = { requestId: r.requestId, ok: r.ok };
  if (r.code !== undefined) body.code = r.code;
  if (r.result !== undefined) body.result = r.result;
  if (r.error !== undefined) body.error = r.error.slice(0, ERROR_CHARS_MAX);
  ctx.bus
    .publish(topics.agent(agentId, 'commandReply'), JSON.stringify(body), { qos: 1 })
    .catch((err: Error) => ctx.logger.warn({ err: err.message, agentId }, `${driverName} command reply not published`));
}
