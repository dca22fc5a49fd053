// Child process of bench/ingest.ts: one simulated device (mqtt.js) that registers and answers every command at once.
// argv: URL AGENT_ID. Prints "ready" on stdout once subscribed and registered.
import mqtt from 'mqtt';

const [url, agentId] = process.argv.slice(2) as [string, string];
const base = `agentos/v1/agents/${agentId}`;
const client = await mqtt.connectAsync(url, { clientId: agentId, reconnectPeriod: 0 });
client.on('message', (_topic, payload) => {
  const { requestId } = JSON.parse(payload.toString('utf8')) as { requestId: string };
  client.publish(`${base}/cmd/reply`, `{"requestId":"${requestId}","ok":true,"code":0}`, { qos: 0 });
});
await client.subscribeAsync(`${base}/cmd`, { qos: 0 });
await client.publishAsync(`${base}/hello`, '{"kind":"device","capabilities":["ping"]}', { qos: 1 });
process.stdout.write('ready\n');
process.on('disconnect', () => {
  client.end(true, () => process.exit(0));
});
