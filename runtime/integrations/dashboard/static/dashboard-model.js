// The dashboard's state, without the DOM, so Node tests run it against a real gateway: it logs into the gateway's
// MQTT over WebSocket with an operator identity (a viewer is enough), calls read-only API methods and follows the
// retained and live topics. Every list it keeps is bounded. Plain ES module for the browser; no build step.
const ROOT = 'agentos/v1';
const TASKS_MAX = 200;
const EVENTS_MAX = 100;
const CALL_TIMEOUT_MS = 10000;
const HEALTH_EVERY_MS = 5000;

export class DashboardModel {
  /** @param {{ connect: (url: string, opts: object) => any, url: string, username?: string, password?: string }} o */
  constructor(o) {
    this.o = o;
    this.agents = new Map(); // id -> { id, kind, status, capabilities, telemetry, updatedAtMs }
    this.tasks = new Map(); // taskId -> last state message
    this.events = []; // newest first: { tsMs, text }
    this.health = null;
    this.cluster = null;
    this.gateways = new Map(); // gatewayId -> status
    this.error = null;
    this.connected = false;
    this.listeners = new Set();
    this.pending = new Map();
    this.seq = 0;
    this.timer = null;
  }

  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() {
    for (const fn of this.listeners) fn(this);
  }

  /** Connects, subscribes, loads the tables; rejects with the broker's refusal (bad credentials...) */
  async start() {
    const user = this.o.username || '';
    const clientId = `${user || 'dashboard'}:dash-${Math.random().toString(36).slice(2, 10)}`;
    this.replyTo = `${ROOT}/replies/${clientId}`;
    const opts = { clientId, reconnectPeriod: 2000, connectTimeout: CALL_TIMEOUT_MS, clean: true };
    if (user) Object.assign(opts, { username: user, password: this.o.password || '' });
    const client = this.o.connect(this.o.url, opts);
    this.client = client;
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', (err) => reject(new Error(`cannot log in: ${err.message}`)));
    });
    client.on('connect', () => this.setConnected(true));
    client.on('close', () => this.setConnected(false));
    client.on('message', (topic, payload) => {
      // a throw would reach mqtt.js's packet loop: one odd message must not stop the page
      try {
        this.onMessage(topic, payload);
      } catch (err) {
        this.fail(err);
      }
    });
    const filters = [
      this.replyTo,
      `${ROOT}/agents/+/status`,
      `${ROOT}/agents/+/telemetry`,
      `${ROOT}/tasks/+/state`,
      `${ROOT}/gateways/+/status`,
    ];
    // one SUBSCRIBE per filter: a refused filter (role) then fails alone
    await Promise.all(filters.map((f) => client.subscribeAsync(f, { qos: 1 })));
    this.setConnected(true);
    await this.refresh();
    this.timer = setInterval(() => this.refresh().catch((err) => this.fail(err)), HEALTH_EVERY_MS);
  }

  async stop() {
    clearInterval(this.timer);
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    if (this.client) await this.client.endAsync(true);
  }

  setConnected(on) {
    if (this.connected === on) return;
    this.connected = on;
    this.event(on ? 'connected to the gateway' : 'connection lost, retrying');
  }

  fail(err) {
    this.error = err.message;
    this.changed();
  }

  /** the agent table, health and (when the cluster is on) its status */
  async refresh() {
    const [agents, health, tasks] = await Promise.all([
      this.call('agents.list', { limit: 500 }),
      this.call('health'),
      this.call('tasks.list', { limit: 50 }).catch(() => null),
    ]);
    for (const a of agents.agents ?? agents ?? []) this.agents.set(a.id, { ...this.agents.get(a.id), ...a });
    // newest first from the API; remembered oldest first so the newest end up last, like live updates
    for (const task of [...(tasks?.tasks ?? [])].reverse()) this.rememberTask(task);
    this.health = health;
    this.cluster = health.cluster ?? null;
    this.error = null;
    this.changed();
  }

  call(method, params = {}) {
    const id = `${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Timeout after ${CALL_TIMEOUT_MS} ms [method=${method}]`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer, method });
      const body = JSON.stringify({ id, replyTo: this.replyTo, params });
      this.client.publish(`${ROOT}/api/${method}`, body, { qos: 1 });
    });
  }

  onMessage(topic, payload) {
    let msg;
    try {
      msg = JSON.parse(payload.toString());
    } catch {
      return;
    }
    if (topic === this.replyTo) return this.onReply(msg);
    const parts = topic.split('/');
    const [, , area, id, channel] = parts;
    if (area === 'agents' && channel === 'status') this.patchAgent(id, { status: msg.status });
    else if (area === 'agents' && channel === 'telemetry' && msg?.values) {
      const a = this.agents.get(id);
      this.patchAgent(id, { telemetry: { ...(a?.telemetry ?? {}), ...msg.values }, lastTelemetryMs: Date.now() });
    } else if (area === 'tasks' && channel === 'state') this.rememberTask(msg);
    else if (area === 'gateways' && channel === 'status') this.gateways.set(id, msg.status);
    this.changed();
  }

  onReply(reply) {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(`${p.method}: ${reply.error?.message ?? 'refused'}`));
  }

  patchAgent(id, patch) {
    const before = this.agents.get(id);
    if (patch.status && before && before.status !== patch.status) this.event(`${id} is ${patch.status}`);
    this.agents.set(id, { id, capabilities: [], telemetry: {}, ...before, ...patch });
  }

  /** a task's row from a state message ({ taskId, agentId, tsMs }) or a tasks.list record ({ id, attempts, ... }) */
  rememberTask(t) {
    const taskId = t?.taskId ?? t?.id;
    if (!taskId) return;
    const row = {
      taskId,
      state: t.state,
      capability: t.capability,
      agentId: t.agentId ?? (Array.isArray(t.attempts) ? t.attempts.at(-1)?.agentId : null) ?? null,
      tsMs: t.tsMs ?? t.updatedAtMs ?? Date.now(),
      reason: t.reason ?? null,
    };
    this.tasks.delete(taskId); // re-inserted last: the Map keeps the newest at the end
    this.tasks.set(taskId, row);
    while (this.tasks.size > TASKS_MAX) this.tasks.delete(this.tasks.keys().next().value);
  }

  event(text) {
    this.events.unshift({ tsMs: Date.now(), text });
    this.events.length = Math.min(this.events.length, EVENTS_MAX);
  }

  /** counts by status, for the header */
  statusCounts() {
    const c = { online: 0, busy: 0, offline: 0, failed: 0 };
    for (const a of this.agents.values()) c[a.status] = (c[a.status] ?? 0) + 1;
    return c;
  }
}
