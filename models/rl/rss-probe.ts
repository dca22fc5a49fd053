// Prints the RSS a fresh process gains by loading the model: onnxruntime's native library plus the session, and the
// session alone (a second session of the same model). Run in its own process so nothing else is resident.
import { RlOnnxPolicy } from '../../runtime/scheduler/policies/rl-policy.js';

const [modelPath, cardPath] = process.argv.slice(2);
if (!modelPath || !cardPath) {
  process.stderr.write('usage: rss-probe.ts MODEL CARD\n');
  process.exit(2);
}
const obs = { nowMs: 0, tasks: [], agents: [] };
global.gc?.();
const rss0 = process.memoryUsage().rss;
const first = await RlOnnxPolicy.load(modelPath, cardPath);
await first.decide(obs);
const rss1 = process.memoryUsage().rss;
const second = await RlOnnxPolicy.load(modelPath, cardPath);
const rss2 = process.memoryUsage().rss;
await first.close();
await second.close();
const mb = (x: number) => Math.round((x / 2 ** 20) * 10) / 10;
process.stdout.write(`${JSON.stringify({ model_rss_mb: mb(rss1 - rss0), session_rss_mb: mb(rss2 - rss1) })}\n`);
