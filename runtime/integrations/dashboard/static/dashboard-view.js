// Renders the model into the page: header counts, agents, tasks, cluster, events. Text only through textContent
// (agent ids, telemetry values and task reasons come from devices: never parsed as HTML). Redraws at most once a
// frame however many messages arrive.
import { DashboardModel } from './dashboard-model.js';

const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function ago(ms) {
  if (!ms) return '';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

function fmt(v) {
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v);
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.append(c instanceof Node ? c : el('td', c));
  return tr;
}

function badge(status) {
  const td = el('td');
  td.append(el('span', status ?? '?', `badge ${status ?? ''}`));
  return td;
}

function renderHeader(m) {
  const h = m.health ?? {};
  const c = m.statusCounts();
  $('gateway').textContent = h.gatewayId ?? '';
  $('conn').textContent = m.connected ? 'live' : 'reconnecting';
  $('conn').className = `badge ${m.connected ? 'online' : 'offline'}`;
  $('counts').textContent =
    `${m.agents.size} agents: ${c.online} online, ${c.busy} busy, ${c.offline} offline, ${c.failed} failed`;
  const rss = h.kernel?.gatewayRssMb;
  const tasks = h.tasks;
  $('meta').textContent = [
    h.uptimeMs !== undefined ? `up ${Math.round(h.uptimeMs / 60000)} min` : null,
    rss ? `RSS ${Math.round(rss)} MB` : null,
    tasks ? `scheduler ${tasks.policy}: ${tasks.queued} queued, ${tasks.active} active, ${tasks.done} done` : null,
    h.broker?.clients !== undefined ? `${h.broker.clients} MQTT clients` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  $('error').textContent = m.error ?? '';
}

function renderAgents(m) {
  const body = $('agents');
  body.replaceChildren();
  const agents = [...m.agents.values()].sort((a, b) => a.id.localeCompare(b.id));
  for (const a of agents) {
    const values = Object.entries(a.telemetry ?? {})
      .slice(0, 6)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join('  ');
    body.append(
      row([a.id, a.kind ?? '', badge(a.status), (a.capabilities ?? []).join(', '), values, ago(a.lastTelemetryMs)]),
    );
  }
  $('agents-empty').hidden = agents.length > 0;
}

function renderTasks(m) {
  const body = $('tasks');
  body.replaceChildren();
  const tasks = [...m.tasks.values()].reverse().slice(0, 50);
  for (const t of tasks)
    body.append(row([t.taskId, t.capability ?? '', badge(t.state), t.agentId ?? '', ago(t.tsMs), t.reason ?? '']));
  $('tasks-empty').hidden = tasks.length > 0;
}

function renderCluster(m) {
  const c = m.cluster;
  $('cluster-box').hidden = !c;
  if (!c) return;
  $('cluster').textContent = JSON.stringify(c, null, 2);
}

function renderEvents(m) {
  const list = $('events');
  list.replaceChildren(
    ...m.events.slice(0, 30).map((e) => el('li', `${new Date(e.tsMs).toLocaleTimeString()}  ${e.text}`)),
  );
}

export function mount(mqtt) {
  let model = null;
  let frame = 0;
  const draw = () => {
    frame = 0;
    renderHeader(model);
    renderAgents(model);
    renderTasks(model);
    renderCluster(model);
    renderEvents(model);
  };
  $('login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const username = $('username').value.trim();
    const password = $('password').value;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
    $('login-error').textContent = '';
    model = new DashboardModel({ connect: mqtt.connect, url, username, password });
    model.onChange(() => {
      if (!frame) frame = requestAnimationFrame(draw);
    });
    try {
      await model.start();
      $('login-box').hidden = true;
      $('main').hidden = false;
      sessionStorage.setItem('agentos-user', username);
      draw();
    } catch (err) {
      $('login-error').textContent = err.message;
      await model.stop().catch(() => undefined);
    }
  });
  $('username').value = sessionStorage.getItem('agentos-user') ?? '';
}
