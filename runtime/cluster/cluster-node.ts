// The cluster inside the gateway, loaded by cluster-component.ts only when cluster.enabled: one RaftHost (file
// storage under <dataDir>/cluster, the MQTT transport with its inbox on this gateway's own broker, HMAC under the
// site key) replicating the ClusterState. Only the leader proposes; a follower forwards its operations to the leader
// (forwarder.ts). Every node keeps the state's record of its own agents in step with its registry, and the leader
// records the founding members as gateways.
import { join, resolve } from 'node:path';
import type { EmbeddedBroker } from '../bus/embedded-broker.js';
import type { GatewayContext } from '../component.js';
import { ClusterAuth } from '../security/cluster-auth.js';
import { placements } from './cluster-schedule.js';
import { type ClusterSettings, resolveClusterSettings } from './cluster-settings.js';
import { ClusterTaskRunner } from './cluster-task-runner.js';
import { Forwarder } from './forwarder.js';
import { RaftHost } from './host/raft-host.js';
import { callLeader } from './leader-call.js';
import type { ConfChange } from './raft/membership.js';
import type { Entry } from './raft/types.js';
import { type ApplyResult, type ClusterCommand, ClusterState, decodeCommand } from './state/cluster-state.js';
import { MqttTransport } from './transport/mqtt-transport.js';

export type ClusterOp =
  | { readonly op: 'propose'; readonly cmd: ClusterCommand }
  | { readonly op: 'conf'; readonly cc: ConfChange }
  | { readonly op: 'transfer'; readonly to: string }
  | { readonly op: 'status' };

/** apply results kept by index, so a proposal can report a refusal by the state machine */
const RESULTS_MAX = 1024;
/** proposals (memberships, placements, assignments) and task handovers per reconcile round */
const OPS_PER_ROUND_MAX = 32;
/** how often a change of role, term or leader is looked for (and logged, with its time, for operators and benches) */
const ROLE_WATCH_INTERVAL_MS = 5;

export class ClusterNode {
  readonly state = new ClusterState();
  private host: RaftHost | undefined;
  private transport: MqttTransport | undefined;
  private forwarder: Forwarder | undefined;
  private runner: ClusterTaskRunner | undefined;
  private settings: ClusterSettings | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watch: NodeJS.Timeout | undefined;
  private lastRole = '';
  private reconciling = false;
  private removeHealth: (() => void) | undefined;
  private peersKey = '';
  private readonly results = new Map<number, ApplyResult>();

  constructor(readonly ctx: GatewayContext) {}

  async start(): Promise<void> {
    if (this.host) return;
    const { config, logger } = this.ctx;
    const s = await resolveClusterSettings(config, this.ownBrokerUrl(), (msg) => logger.warn(msg));
    this.settings = s;
    const auth = () =>
      s.siteKey ? new ClusterAuth({ clusterId: s.clusterId, nodeId: s.nodeId, siteKey: s.siteKey }) : undefined;
    const c = config.cluster;
    const credentials = {
      username: s.username,
      password: s.password,
      clientIdPrefix: `${s.username ?? `raft-${s.nodeId}`}:raft-`,
    };
    this.host = new RaftHost({
      id: s.nodeId,
      bootstrapVoters: s.bootstrapVoters,
      storageDir: join(resolve(config.store.dataDir), 'cluster'),
      tickMs: s.timing.tickMs,
      raft: { electionTicks: s.timing.electionTicks, heartbeatTicks: s.timing.heartbeatTicks },
      requestTimeoutMs: c.requestTimeoutMs,
      leaderWaitMs: c.leaderWaitMs ?? undefined,
      snapshotEvery: c.snapshotEvery,
      apply: (entries) => this.apply(entries),
      restore: (data) => {
        this.state.restore(data);
        this.refreshPeers();
      },
      capture: () => this.state.snapshot(),
      transport: (onMessage) => {
        this.transport = new MqttTransport({
          clusterId: s.clusterId,
          nodeId: s.nodeId,
          inboxUrl: s.inboxUrl,
          peers: this.peerMap(),
          onMessage,
          auth: auth(),
          reconnectPeriodMs: 100,
          ...credentials,
        });
        return this.transport;
      },
      onError: (err) => logger.error({ err }, 'cluster node failed'),
    });
    this.forwarder = new Forwarder({
      clusterId: s.clusterId,
      nodeId: s.nodeId,
      inboxUrl: s.inboxUrl,
      peerUrl: (id) => this.peerUrl(id),
      handle: (from, op) => this.serveForwarded(from, op),
      auth: auth(),
      username: s.username,
      password: s.password,
    });
    this.runner = new ClusterTaskRunner({
      bus: this.ctx.bus,
      gatewayId: config.gateway.id,
      nodeId: s.nodeId,
      logger,
      submit: (cmd) => this.submit({ op: 'propose', cmd }),
    });
    try {
      await this.runner.start();
      await this.forwarder.start();
      await this.host.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.refreshPeers();
    this.timer = setInterval(() => void this.reconcile(), c.reconcileIntervalMs);
    this.watch = setInterval(() => this.logRoleChange(), ROLE_WATCH_INTERVAL_MS);
    this.removeHealth = this.ctx.health.add('cluster', () => this.healthSection());
    logger.info(
      { clusterId: s.clusterId, nodeId: s.nodeId, voters: s.bootstrapVoters, inbox: s.inboxUrl, timing: s.timing },
      'cluster node started',
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.watch);
    this.timer = undefined;
    this.watch = undefined;
    this.removeHealth?.();
    this.removeHealth = undefined;
    const { host, forwarder, runner } = this;
    this.host = undefined;
    this.forwarder = undefined;
    this.runner = undefined;
    this.transport = undefined;
    await runner?.stop();
    await forwarder?.stop();
    await host?.stop();
  }

  /**
   * Runs `op` on the leader: here if this node leads, else forwarded to the leader this node knows. During an election
   * it waits for the next leader (at most leaderWaitMs), and goes to the new leader if the old one refused it unrun.
   */
  async submit(op: ClusterOp): Promise<unknown> {
    const host = this.requireHost();
    return callLeader({
      self: this.settings!.nodeId,
      whenLeader: () => host.whenLeader(),
      here: () => this.execute(op),
      there: (leader) => this.forwarder!.request(leader, op, this.ctx.config.cluster.requestTimeoutMs),
    });
  }

  /** A linearizable read barrier (ReadIndex): afterwards `state` reflects every write acknowledged before the call. */
  read(): Promise<void> {
    return this.requireHost().read();
  }

  /** This node's own view: role, term, commit, members with their URLs and, on the leader, each follower's lag. */
  localStatus(): Record<string, unknown> {
    const st = this.requireHost().status();
    if (!st) throw Object.assign(new Error('cluster node is starting'), { code: 'unavailable' });
    const ids = new Set([...st.voters, ...Object.keys(this.state.data.gateways)]);
    const members = [...ids].sort().map((id) => {
      const pr = st.progress[id];
      return {
        id,
        url: this.peerUrl(id) ?? null,
        voter: st.voters.includes(id),
        gateway: this.state.data.gateways[id] !== undefined,
        ...(pr && id !== st.id ? { match: pr.match, lag: Math.max(0, st.lastIndex - pr.match), state: pr.state } : {}),
      };
    });
    return {
      clusterId: this.settings!.clusterId,
      nodeId: st.id,
      role: st.role,
      term: st.term,
      leader: st.leader || null,
      commit: st.commit,
      applied: st.applied,
      lastIndex: st.lastIndex,
      snapshotIndex: st.snapshotIndex,
      members,
      authenticated: this.settings!.siteKey !== null,
    };
  }

  private requireHost(): RaftHost {
    if (!this.host) throw Object.assign(new Error('cluster is not running'), { code: 'unavailable' });
    return this.host;
  }

  private async execute(op: ClusterOp): Promise<unknown> {
    const host = this.requireHost();
    switch (op.op) {
      case 'propose': {
        const data = JSON.stringify(op.cmd);
        decodeCommand(data); // names the bad field before anything reaches the log
        const index = await host.propose(data);
        return { index, ...(this.results.get(index) ?? { ok: true }) };
      }
      case 'conf':
        return { index: await host.proposeConfChange(op.cc) };
      case 'transfer':
        // already done when leadership moved to the target by itself meanwhile (etcd ignores a transfer to self too)
        if (op.to === this.settings!.nodeId) return { requested: op.to, alreadyLeader: true };
        host.transferLeadership(op.to);
        return { requested: op.to };
      case 'status':
        return this.localStatus();
    }
  }

  private serveForwarded(from: string, raw: unknown): Promise<unknown> {
    const op = raw as ClusterOp;
    if (this.host?.status()?.role !== 'leader')
      return Promise.reject(new Error(`${this.settings?.nodeId} is not the leader`));
    if (op?.op === 'conf' && (typeof op.cc?.nodeId !== 'string' || typeof op.cc.type !== 'string')) {
      return Promise.reject(new Error(`forwarded conf change from ${from}: cc.type and cc.nodeId must be strings`));
    }
    if (op?.op === 'transfer' && typeof op.to !== 'string') {
      return Promise.reject(new Error(`forwarded transfer from ${from}: to must be a string`));
    }
    if (!['propose', 'conf', 'transfer', 'status'].includes(op?.op)) {
      return Promise.reject(new Error(`forwarded op from ${from}: unknown op ${String(op?.op)}`));
    }
    return this.execute(op);
  }

  /** Committed entries in order; refusals by the state machine are the same on every replica and only recorded. */
  private apply(entries: readonly Entry[]): void {
    let membership = false;
    for (const e of entries) {
      if (e.type === 'conf') membership = true;
      if (e.type !== 'normal' || e.data === '') continue;
      let result: ApplyResult;
      try {
        const cmd = decodeCommand(e.data);
        result = this.state.apply(cmd, e.index);
        if (cmd.type === 'gateway.join' || cmd.type === 'gateway.leave') membership = true;
      } catch (err) {
        result = { ok: false, reason: (err as Error).message };
      }
      this.results.set(e.index, result);
      if (this.results.size > RESULTS_MAX) this.results.delete(this.results.keys().next().value as number);
    }
    if (membership) queueMicrotask(() => this.refreshPeers());
  }

  private peerUrl(id: string): string | undefined {
    const s = this.settings;
    if (!s) return undefined;
    if (id === s.nodeId) return s.advertiseUrl;
    return s.sharedUrl ?? this.state.data.gateways[id]?.url ?? s.configPeers[id];
  }

  /** Every node this one may talk to: voters, configured peers and recorded gateways, by their broker URL. */
  private peerMap(): Record<string, string> {
    const s = this.settings!;
    const ids = new Set([
      ...(this.host?.status()?.voters ?? s.bootstrapVoters),
      ...Object.keys(s.configPeers),
      ...Object.keys(this.state.data.gateways),
    ]);
    ids.delete(s.nodeId);
    const out: Record<string, string> = {};
    for (const id of [...ids].sort()) {
      const url = this.peerUrl(id);
      if (url !== undefined) out[id] = url;
    }
    return out;
  }

  private refreshPeers(): void {
    if (!this.transport || !this.settings) return;
    const peers = this.peerMap();
    const key = JSON.stringify(peers);
    if (key === this.peersKey) return;
    this.peersKey = key;
    this.transport.setPeers(peers);
  }

  /** The leader records members as gateways; every node keeps the state's list of its agents in step. */
  private async reconcile(): Promise<void> {
    const st = this.host?.status();
    if (!st || this.reconciling || !st.leader) return;
    this.reconciling = true;
    try {
      this.refreshPeers();
      const ops: ClusterCommand[] = [];
      if (st.role === 'leader') {
        for (const id of st.voters) {
          const url = this.peerUrl(id);
          if (!this.state.data.gateways[id] && url) ops.push({ type: 'gateway.join', id, url });
        }
        ops.push(...placements(this.state.data, this.state.queued(), OPS_PER_ROUND_MAX));
      }
      if (this.state.data.gateways[st.id]) ops.push(...this.agentOps(st.id));
      for (const cmd of ops.slice(0, OPS_PER_ROUND_MAX)) await this.submit({ op: 'propose', cmd });
      await this.runner?.round(this.state.assignedTo(st.id), OPS_PER_ROUND_MAX);
    } catch (err) {
      this.ctx.logger.debug({ err }, 'cluster reconcile round failed; retried next round');
    } finally {
      this.reconciling = false;
    }
  }

  private agentOps(self: string): ClusterCommand[] {
    const agents = this.ctx.registry.list();
    const mine = new Set(agents.map((a) => a.id));
    const caps = this.state.data.capabilities ?? {};
    const ops: ClusterCommand[] = [];
    for (const a of agents) {
      const same = JSON.stringify(caps[a.id] ?? []) === JSON.stringify(a.capabilities);
      if (this.state.data.agents[a.id] === self && same) continue;
      ops.push({ type: 'agent.place', agentId: a.id, gatewayId: self, capabilities: [...a.capabilities] });
    }
    for (const [id, gw] of Object.entries(this.state.data.agents)) {
      if (gw === self && !mine.has(id)) ops.push({ type: 'agent.remove', agentId: id });
    }
    return ops;
  }

  private ownBrokerUrl(): string | null {
    if (this.ctx.bus.mode !== 'embedded') return null;
    const port = (this.ctx.bus as EmbeddedBroker).port;
    const h = this.ctx.config.broker.host;
    const host = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h;
    return `mqtt://${host}:${port}`;
  }

  private logRoleChange(): void {
    const st = this.host?.status();
    if (!st) return;
    const key = `${st.role}/${st.term}/${st.leader}`;
    if (key === this.lastRole) return;
    this.lastRole = key;
    this.ctx.logger.info({ role: st.role, term: st.term, leader: st.leader || null }, 'cluster role');
  }

  private healthSection(): Record<string, unknown> {
    const st = this.host?.status();
    if (!st) return { running: false };
    return {
      role: st.role,
      term: st.term,
      leader: st.leader || null,
      commit: st.commit,
      transport: this.transport ? { ...this.transport.stats } : null,
      forwarder: this.forwarder ? { ...this.forwarder.stats } : null,
    };
  }
}
