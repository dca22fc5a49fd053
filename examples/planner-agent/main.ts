// A software agent the gateway supervises (agentos agents run examples/planner-agent): serves plan.route as
// scheduler tasks and as mailbox requests, and counts its plans in its own storage.
import { AgentClient, optionsFromEnv } from '../../sdk/index.js';
import { planRoute, type RouteInput } from './plan.js';

const [w, h] = (process.env['PLANNER_GRID'] ?? '8x8').split('x').map(Number);
const width = w ?? 8;
const height = h ?? 8;

const agent = new AgentClient({
  ...optionsFromEnv(),
  kind: 'software',
  capabilities: ['plan.route'],
  capacity: { cpu: 0.5, memoryMb: 192 },
  metadata: { grid: `${width}x${height}` },
});

let plans = 0;
async function plan(input: RouteInput) {
  const path = planRoute(width, height, input);
  plans++;
  await agent.storage.set('plans', plans).catch(() => undefined);
  return { path, steps: path ? path.length - 1 : null };
}

agent.onTask<RouteInput>('plan.route', async (input, ctx) => {
  ctx.progress(0.5);
  return plan(input);
});
agent.mailbox.onMessage(async (msg) => (msg.expectsReply ? plan(msg.body as RouteInput) : undefined));
agent.on('connect', () => console.log(`planner connected (${width}x${height} grid)`));
agent.on('offline', (why: string) => console.log(`planner offline: ${why}`));

process.on('SIGTERM', () => {
  console.log('planner stopping');
  agent.stop().then(() => process.exit(0));
});

await agent.start();
plans = Number(
  (await agent
    .waitConnected(30000)
    .then(() => agent.storage.get<number>('plans'))
    .catch(() => 0)) ?? 0,
);
console.log(`planner ready; ${plans} plans so far`);
