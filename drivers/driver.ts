// The one interface every driver implements. A driver knows this file and nothing else of the runtime: it turns a
// device link (MQTT, a serial frame, a BLE notification) into normalized agent events, and agent commands into
// whatever the device speaks.

export type AgentKind = 'device' | 'robot' | 'software';
export type AgentStatus = 'online' | 'busy' | 'offline' | 'failed';

/** Capacity or current use of an agent. Units are in the names' comments; every field is optional in use reports. */
export interface Resources {
  /** cores (1.0 = one core) */
  cpu: number;
  /** MiB */
  memoryMb: number;
  /** kbit/s */
  bandwidthKbps: number;
  /** 0..1 state of charge; absent for mains-powered agents */
  battery?: number;
}

export type Scalar = number | string | boolean | null;

/** A normalized event from a device link, the kernel's only input from drivers. */
export type AgentEvent =
  | {
      type: 'register';
      agentId: string;
      kind: AgentKind;
      capabilities: string[];
      capacity: Partial<Resources>;
      metadata: Record<string, Scalar>;
    }
  | { type: 'telemetry'; agentId: string; tsMs: number; values: Record<string, Scalar>; use?: Partial<Resources> }
  | { type: 'state'; agentId: string; state: Record<string, unknown> }
  | { type: 'status'; agentId: string; status: AgentStatus; reason?: string }
  | { type: 'log'; agentId: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

export interface AgentCommand {
  /** unique per gateway; errors and timeouts name it */
  requestId: string;
  agentId: string;
  name: string;
  params: Record<string, unknown>;
  timeoutMs: number;
}

export interface CommandResult {
  requestId: string;
  ok: boolean;
  /** driver- or device-defined result code; 0 means success */
  code: number;
  result?: unknown;
  error?: string;
}

export interface DriverLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface DriverContext {
  emit(event: AgentEvent): void;
  logger: DriverLogger;
}

export interface Driver {
  readonly name: string;
  /** idempotent; no I/O happens before start() */
  start(ctx: DriverContext): Promise<void>;
  /** idempotent; leaves no timer, socket or listener behind */
  stop(): Promise<void>;
  /** true when this driver is the link for that agent */
  owns(agentId: string): boolean;
  /** resolves with the device's reply; rejects with an error naming the requestId on timeout */
  sendCommand(command: AgentCommand): Promise<CommandResult>;
}
