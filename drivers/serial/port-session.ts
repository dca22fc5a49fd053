// One configured port: open, handshake (HELLO, CAPS pages, TIME_SYNC), route frames, and on a lost link mark the
// agent offline and poll for the path until it comes back [PROTOCOL.md §5.1]. Poll the path directly:
// SerialPort.list() needs udevadm, which minimal gateways lack.
import { existsSync } from 'node:fs';
import {
  encodeFrame,
  errorFields,
  Flag,
  type Frame,
  FrameDecoder,
  type FrameInput,
  helloPayload,
  LogLevel,
  MsgType,
  msgTypeName,
  PROTOCOL_VERSION,
  parseCapsResponse,
  parseHelloAck,
  parseLog,
  parseTelemetry,
  Tag,
  TlvWriter,
} from '../../firmware-bridge/ts/index.js';
import type { AgentEvent, DriverLogger } from '../driver.js';
import { type DeviceCaps, registerEvent, splitTelemetry } from './caps-to-agent.js';
import type { SerialLink, SerialOpener } from './link.js';
import type { ResolvedOptions, SerialPortConfig } from './options.js';
import { type RequestOptions, RequestTracker } from './request-tracker.js';

export interface SessionContext {
  port: SerialPortConfig;
  opts: ResolvedOptions;
  opener: SerialOpener;
  portPresent: (path: string) => boolean;
  /** the link in log lines and default agent ids: 'serial' (default) or 'ble' */
  linkName?: string | undefined;
  emit(e: AgentEvent): void;
  logger: DriverLogger;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const CAPS_PAGES_MAX = 32;

export class PortSession {
  agentId: string | undefined;
  caps: DeviceCaps | undefined;
  private link: SerialLink | undefined;
  private tracker: RequestTracker | undefined;
  private decoder: FrameDecoder | undefined;
  private online = false;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private pinging = false;
  private lastRxMs = 0;
  /** bytes, negotiated in HELLO */
  payloadBytesMax: number;
  private stopped = true;
  private connecting = false;
  private pollTimer: NodeJS.Timeout | undefined;
  /** decoder errors summed over all connections, for diagnostics */
  readonly errorTotals = { frames: 0, errors: 0 };

  private readonly linkName: string;

  constructor(private readonly ctx: SessionContext) {
    this.agentId = ctx.port.agentId;
    this.linkName = ctx.linkName ?? 'serial';
    this.payloadBytesMax = ctx.opts.payloadBytesMax;
  }

  get isOnline(): boolean {
    return this.online;
  }
  get retransmissions(): number {
    return this.tracker?.retransmissions ?? 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.dropLink('driver stopped');
  }

  /** Sends a request frame and resolves with its response; rejects when offline, on timeout or link loss. */
  request(
    type: number,
    payload: Buffer,
    opts: Partial<RequestOptions> & { label: Record<string, string> },
  ): Promise<Frame> {
    const tracker = this.tracker;
    if (!tracker || !this.link) {
      return Promise.reject(new Error(`port ${this.ctx.port.path} is not connected [${label(opts.label)}]`));
    }
    const o = this.ctx.opts;
    return tracker.request(type, payload, {
      ackTimeoutMs: opts.ackTimeoutMs ?? o.ackTimeoutMs,
      retriesMax: opts.retriesMax ?? o.retriesMax,
      timeoutMs: opts.timeoutMs ?? o.ackTimeoutMs * (o.retriesMax + 1),
      label: opts.label,
    });
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting || this.link) return;
    this.connecting = true;
    const { port, opts } = this.ctx;
    try {
      const decoder = new FrameDecoder({ payloadBytesMax: opts.payloadBytesMax });
      this.payloadBytesMax = opts.payloadBytesMax;
      this.decoder = decoder;
      this.link = await this.ctx.opener(
        { path: port.path, baudRate: port.baudRate },
        { onData: (d) => this.onData(decoder, d), onLost: (r) => void this.onLost(r) },
      );
      if (this.stopped) return void (await this.dropLink('driver stopped'));
      this.tracker = new RequestTracker((f) => this.write(f), opts.requestsInFlightMax);
      this.link.write(Buffer.from([0])); // §2.3: end any partial frame the device holds
      await this.handshake();
    } catch (err) {
      this.ctx.logger.debug({ port: port.path, err: (err as Error).message }, `${this.linkName} connect failed`);
      await this.dropLink(`connect failed: ${(err as Error).message}`);
      this.schedulePoll();
    } finally {
      this.connecting = false;
    }
  }

  /** Runs the handshake again on the open link, e.g. after the device was told to RESET. */
  async rehandshake(): Promise<void> {
    if (!this.link || this.connecting || this.stopped) return;
    this.connecting = true;
    try {
      await this.handshake();
    } catch (err) {
      this.ctx.logger.warn(
        { port: this.ctx.port.path, err: (err as Error).message },
        `${this.linkName} re-handshake failed`,
      );
      await this.dropLink(`re-handshake failed: ${(err as Error).message}`);
      this.schedulePoll();
    } finally {
      this.connecting = false;
    }
  }

  private async handshake(): Promise<void> {
    const { port, opts } = this.ctx;
    const deadline = Date.now() + opts.handshakeTimeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    const lbl = { port: port.path };
    const helloFrame = await this.request(
      MsgType.HELLO,
      helloPayload({ protoVersion: PROTOCOL_VERSION, payloadBytesMax: opts.payloadBytesMax, name: 'agentos' }),
      { timeoutMs: left(), label: { ...lbl, step: 'HELLO' } },
    );
    const hello = parseHelloAck(helloFrame.payload);
    if (helloFrame.type !== MsgType.HELLO_ACK || !hello)
      throw new Error(`bad HELLO reply ${msgTypeName(helloFrame.type)}`);
    const negotiated = Math.min(hello.payloadBytesMax, opts.payloadBytesMax);
    this.decoder?.setPayloadBytesMax(negotiated);
    this.payloadBytesMax = negotiated;
    hello.payloadBytesMax = negotiated;
    const caps: DeviceCaps = { hello, props: [], commands: [] };
    for (let page = 0, count = 1; page < count && page < CAPS_PAGES_MAX; page++) {
      const f = await this.request(MsgType.CAPS_QUERY, new TlvWriter().u8(Tag.PAGE, page).toBuffer(), {
        timeoutMs: left(),
        label: { ...lbl, step: `CAPS page ${page}` },
      });
      const p = f.type === MsgType.CAPS_RESPONSE ? parseCapsResponse(f.payload) : null;
      if (!p) throw new Error(`bad CAPS reply ${msgTypeName(f.type)} for page ${page}`);
      count = p.pageCount;
      caps.props.push(...p.props);
      caps.commands.push(...p.commands);
    }
    await this.request(MsgType.TIME_SYNC, new TlvWriter().u64(Tag.TIME_MS, Date.now()).toBuffer(), {
      timeoutMs: left(),
      label: { ...lbl, step: 'TIME_SYNC' },
    });
    if (this.stopped || !this.link) return;
    this.caps = caps;
    this.agentId = port.agentId ?? agentIdFor(hello.uid, this.linkName);
    this.online = true;
    this.startKeepalive();
    this.ctx.emit(registerEvent(this.agentId, port.kind ?? 'device', caps, port, this.linkName));
    this.ctx.emit({ type: 'status', agentId: this.agentId, status: 'online' });
    this.ctx.logger.info(
      { port: port.path, agentId: this.agentId, firmware: hello.name },
      `${this.linkName} device online`,
    );
  }

  private write(f: FrameInput): void {
    this.link?.write(encodeFrame(f, this.payloadBytesMax));
  }

  /** While online and silent for keepaliveMs, PING the device; no answer means it rebooted or hung: greet it again,
   * and if that fails too the link is dropped (offline) and reopened by the path poll. */
  private startKeepalive(): void {
    const every = this.ctx.opts.keepaliveMs;
    if (every === 0 || this.keepaliveTimer) return;
    this.keepaliveTimer = setInterval(() => {
      if (!this.online || this.connecting || this.pinging || Date.now() - this.lastRxMs < every) return;
      this.pinging = true;
      this.request(MsgType.PING, Buffer.alloc(0), { label: { port: this.ctx.port.path, step: 'keepalive' } })
        .catch((err: Error) => {
          if (!this.online) return;
          this.ctx.logger.warn({ port: this.ctx.port.path, err: err.message }, `${this.linkName} keepalive failed`);
          return this.rehandshake();
        })
        .finally(() => {
          this.pinging = false;
        });
    }, every);
  }

  private onData(decoder: FrameDecoder, data: Buffer): void {
    this.lastRxMs = Date.now();
    for (const f of decoder.push(data)) {
      try {
        this.onFrame(f);
      } catch (err) {
        // a listener's failure must not stop the link
        this.ctx.logger.error(
          { err: (err as Error).message, port: this.ctx.port.path },
          `${this.linkName} frame handler failed`,
        );
      }
    }
  }

  private onFrame(f: Frame): void {
    if (f.flags & Flag.RESPONSE) {
      if (!this.tracker?.handleResponse(f)) this.ctx.logger.debug({ seq: f.seq }, 'late or unknown response ignored');
      return;
    }
    const agentId = this.agentId;
    if (!this.online || !agentId) return;
    switch (f.type) {
      case MsgType.TELEMETRY: {
        const t = parseTelemetry(f.payload);
        if (!t) return;
        const { values, use } = splitTelemetry(t.fields);
        this.ctx.emit({ type: 'telemetry', agentId, tsMs: t.timeMs ?? Date.now(), values, use });
        return;
      }
      case MsgType.LOG: {
        const l = parseLog(f.payload);
        if (l) this.ctx.emit({ type: 'log', agentId, level: LEVELS[l.level] ?? 'info', message: l.message });
        return;
      }
      case MsgType.WAKE:
        this.ctx.emit({ type: 'log', agentId, level: LEVELS[LogLevel.INFO], message: 'device woke up' });
        return;
      case MsgType.ERROR: {
        const e = errorFields(f.payload);
        this.ctx.emit({ type: 'log', agentId, level: 'warn', message: `device error ${e.code}: ${e.message}` });
        return;
      }
      default:
        this.ctx.logger.debug({ type: msgTypeName(f.type) }, 'unexpected frame from device ignored');
    }
  }

  private async onLost(reason: string): Promise<void> {
    this.ctx.logger.warn({ port: this.ctx.port.path, agentId: this.agentId, reason }, `${this.linkName} port lost`);
    await this.dropLink(`port ${this.ctx.port.path} lost: ${reason}`);
    this.schedulePoll();
  }

  private async dropLink(reason: string): Promise<void> {
    const link = this.link;
    const wasOnline = this.online;
    this.link = undefined;
    this.online = false;
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    this.tracker?.failAll(reason);
    this.tracker = undefined;
    if (this.decoder) {
      this.errorTotals.frames += this.decoder.stats.frames;
      this.errorTotals.errors += Object.values(this.decoder.stats.errors).reduce((a, b) => a + b, 0);
      this.decoder = undefined;
    }
    if (link) await link.close().catch(() => undefined);
    if (wasOnline && this.agentId) {
      this.ctx.emit({ type: 'status', agentId: this.agentId, status: 'offline', reason });
    }
  }

  private schedulePoll(): void {
    if (this.stopped || this.pollTimer) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      if (this.stopped) return;
      if (this.ctx.portPresent(this.ctx.port.path)) void this.connect();
      else this.schedulePoll();
    }, this.ctx.opts.reconnectPollMs);
  }
}

export const defaultPortPresent = (path: string): boolean => existsSync(path);

function label(l: Record<string, string>): string {
  return Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** `serial-<uid>` (or `ble-<uid>`), cut to one topic level of the agent-id alphabet (a uid may be a MAC with ':'). */
export function agentIdFor(uid: string, prefix = 'serial'): string {
  return `${prefix}-${uid.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 64);
}
