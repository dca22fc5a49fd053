// A Driver over the firmware bridge protocol on any byte link: one PortSession per configured link; agent commands
// become acknowledged frames with retries and a timeout naming the request; OTA updates go through the same sessions.
// The serial driver runs it over serial ports, the BLE driver over a GATT byte pipe.
import type { AgentCommand, CommandResult, Driver, DriverContext } from '../driver.js';
import { decodeReply, encodeCommand } from './command-frames.js';
import type { SerialOpener } from './link.js';
import type { ResolvedOptions } from './options.js';
import { type OtaOptions, type OtaResult, sendOta } from './ota-sender.js';
import { PortSession } from './port-session.js';

export interface BridgeLink {
  /** the opener of one link; called by start(), so it may use what start() set up */
  opener(): SerialOpener;
  /** whether a lost link's path is worth opening again (polled every reconnectPollMs); synchronous */
  portPresent(path: string): boolean;
}

export class BridgeDriver implements Driver {
  private sessions: PortSession[] = [];
  private started = false;

  /** Does no I/O. `opts` are already validated. */
  constructor(
    readonly name: string,
    protected readonly opts: ResolvedOptions,
    private readonly link: BridgeLink,
  ) {}

  async start(ctx: DriverContext): Promise<void> {
    if (this.started) return;
    this.started = true;
    const opener = this.link.opener();
    this.sessions = this.opts.ports.map(
      (port) =>
        new PortSession({
          port,
          opts: this.opts,
          opener,
          portPresent: (path) => this.link.portPresent(path),
          linkName: this.name,
          emit: (e) => ctx.emit(e),
          logger: ctx.logger,
        }),
    );
    for (const s of this.sessions) s.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all(this.sessions.map((s) => s.stop()));
  }

  owns(agentId: string): boolean {
    return this.sessions.some((s) => s.agentId === agentId) || this.opts.ports.some((p) => p.agentId === agentId);
  }

  /** The session of an agent, or undefined. */
  session(agentId: string): PortSession | undefined {
    return this.sessions.find((s) => s.agentId === agentId);
  }

  /** agents whose link is open and handshaken */
  onlineAgents(): string[] {
    return this.sessions.filter((s) => s.isOnline && s.agentId).map((s) => s.agentId!);
  }

  isOnline(agentId: string): boolean {
    return this.session(agentId)?.isOnline ?? false;
  }

  async sendCommand(command: AgentCommand): Promise<CommandResult> {
    const s = this.session(command.agentId);
    const lbl = { agent: command.agentId, request: command.requestId };
    if (!s) throw new Error(`${this.name} driver does not own agent ${command.agentId} [request=${command.requestId}]`);
    if (!s.isOnline) throw new Error(`agent ${command.agentId} is offline [request=${command.requestId}]`);
    const { type, payload } = encodeCommand(command);
    if (payload.length > s.payloadBytesMax) {
      throw new RangeError(
        `${command.name}: command is ${payload.length} bytes, the device accepts ${s.payloadBytesMax} [request=${command.requestId}]`,
      );
    }
    const reply = await s.request(type, payload, { timeoutMs: command.timeoutMs, label: lbl });
    const result = decodeReply(command, reply);
    // a reset device forgets the session: greet it again (the register event then reflects its new state)
    if (command.name === 'bridge.reset' && result.ok) void s.rehandshake();
    return result;
  }

  /** Sends a firmware image to an agent; resumes where the device stopped (see ota-sender.ts). */
  async ota(agentId: string, image: Uint8Array, options: OtaOptions = {}): Promise<OtaResult> {
    const s = this.session(agentId);
    if (!s?.isOnline) throw new Error(`agent ${agentId} is ${s ? 'offline' : `not a ${this.name} agent`} [ota]`);
    return sendOta(s, agentId, image, options);
  }
}
