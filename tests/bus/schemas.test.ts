// Every message schema compiles under ajv's strict mode, its example is valid, and the catalog's topics parse back.
import t from 'tap';
import { messages } from '../../runtime/bus/schemas/index.js';
import { parseAgentTopic, parseApiTopic, topicMatches, topics } from '../../runtime/bus/topics.js';
import { MessageValidator } from '../../runtime/bus/validator.js';

t.test('every catalog example passes its own schema', async (t) => {
  const v = new MessageValidator(262144);
  for (const [name, spec] of Object.entries(messages)) {
    const r = v.check(name, spec.schema, spec.example);
    t.ok(r.ok, `${name} example is valid${r.ok ? '' : `: ${r.error.message}`}`);
  }
});

t.test('topic building and parsing agree', async (t) => {
  t.same(parseAgentTopic(topics.agent('lamp-1', 'commandReply')), { agentId: 'lamp-1', channel: 'commandReply' });
  t.same(parseAgentTopic(topics.agent('a.b_c-9', 'hello')), { agentId: 'a.b_c-9', channel: 'hello' });
  t.equal(parseAgentTopic('agentos/v1/agents/lamp-1/unknown'), null, 'unknown channel');
  t.equal(parseAgentTopic('agentos/v1/agents/$x/hello'), null, 'invalid id');
  t.equal(parseAgentTopic('agentos/v2/agents/lamp-1/hello'), null, 'other version');
  t.same(parseApiTopic(topics.api('agents.list')), { method: 'agents.list', gatewayId: null });
  t.same(parseApiTopic(topics.gatewayApi('gw-1', 'health')), { method: 'health', gatewayId: 'gw-1' });
});

t.test('topic filters follow MQTT matching rules', async (t) => {
  t.ok(topicMatches('a/+/c', 'a/b/c'));
  t.notOk(topicMatches('a/+/c', 'a/b/d/c'));
  t.ok(topicMatches('a/#', 'a'), '# matches the parent level [MQTT-4.7.1-2]');
  t.ok(topicMatches('a/#', 'a/b/c'));
  t.notOk(topicMatches('a/b', 'a/b/c'));
  t.ok(topicMatches(topics.anyAgent('hello'), topics.agent('x', 'hello')));
});
