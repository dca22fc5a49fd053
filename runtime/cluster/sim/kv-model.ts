// The key-value store as a linearizability model: one register per key, histories split by key (linearizability
// is compositional, so each key is checked on its own).
import type { KvInput, KvOutput } from './kv.js';
import type { Model, Operation } from './linearizability.js';

export type KvOperation = Operation<KvInput, KvOutput>;

export const kvModel: Model<string | null, KvInput, KvOutput> = {
  init: () => null,
  step: (state, input, output) => {
    const unknown = output === undefined;
    if (input.op === 'put') return [unknown || output === 'ok', input.value];
    if (input.op === 'get') return [unknown || output === state, state];
    const swaps = state === input.from;
    if (unknown) return [true, swaps ? input.to : state];
    return [output === swaps, swaps ? input.to : state];
  },
  stateKey: (s) => (s === null ? '\u0000' : s),
  partition: (ops) => {
    const byKey = new Map<string, KvOperation[]>();
    for (const op of ops) {
      const list = byKey.get(op.input.key) ?? [];
      list.push(op);
      byKey.set(op.input.key, list);
    }
    return [...byKey.values()];
  },
};
