// Linearizability checker: the Wing & Gong search with Lowe's memoization, the algorithm of Porcupine
// (github.com/anishathalye/porcupine, checkSingle). Operations are call/return intervals; the search linearizes a
// pending call whose effect the model accepts, backtracking when a return is reached that is not yet linearized; a
// cache of (linearized set, model state) pairs prunes configurations already explored. An operation whose outcome is
// unknown (timed out, crashed) has return time Infinity and accepts any output, so it may take effect at any point
// after its call, or in effect never (linearized after everything else).

export interface Operation<I, O> {
  readonly clientId: number;
  readonly input: I;
  /** undefined: the outcome is unknown (possibly applied). */
  readonly output: O | undefined;
  readonly call: number;
  /** Infinity when the outcome is unknown. */
  readonly ret: number;
}

export interface Model<S, I, O> {
  readonly init: () => S;
  /** Whether `input` applied in `state` may produce `output` (undefined = unknown, accept), and the next state. */
  readonly step: (state: S, input: I, output: O | undefined) => readonly [boolean, S];
  readonly stateKey: (state: S) => string;
  /** Splits a history into independent parts (per key for a key-value store). */
  readonly partition?: ((ops: readonly Operation<I, O>[]) => Operation<I, O>[][]) | undefined;
}

export type CheckResult = 'ok' | 'illegal' | 'unknown';

interface Node {
  readonly id: number;
  readonly isCall: boolean;
  readonly time: number;
  match: Node | undefined;
  prev: Node | undefined;
  next: Node | undefined;
}

function buildList<I, O>(ops: readonly Operation<I, O>[]): Node {
  const events: Node[] = [];
  ops.forEach((op, id) => {
    const call: Node = { id, isCall: true, time: op.call, match: undefined, prev: undefined, next: undefined };
    const ret: Node = { id, isCall: false, time: op.ret, match: undefined, prev: undefined, next: undefined };
    call.match = ret;
    events.push(call, ret);
  });
  // At equal times calls come first: touching intervals are treated as concurrent (Porcupine's choice).
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.id - b.id : a.isCall ? -1 : 1));
  const head: Node = { id: -1, isCall: false, time: -Infinity, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const e of events) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

/** Checks one independent history; `stepsMax` bounds the search (result 'unknown' when exceeded). */
export function checkSingle<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  stepsMax: number,
): CheckResult {
  const head = buildList(ops);
  const linearized = new Uint32Array(Math.ceil(ops.length / 32) + 1);
  const cache = new Set<string>();
  const calls: { node: Node; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  while (head.next) {
    if (++steps > stepsMax) return 'unknown';
    if (!entry) return 'illegal';
    if (entry.isCall) {
      const op = ops[entry.id]!;
      const [ok, next] = model.step(state, op.input, op.output);
      if (ok) {
        linearized[entry.id >>> 5]! |= 1 << (entry.id & 31);
        const key = `${linearized.join(',')}|${model.stateKey(next)}`;
        if (!cache.has(key)) {
          cache.add(key);
          calls.push({ node: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.id >>> 5]! &= ~(1 << (entry.id & 31));
      }
      entry = entry.next;
    } else {
      const top = calls.pop();
      if (!top) return 'illegal';
      entry = top.node;
      state = top.state;
      linearized[entry.id >>> 5]! &= ~(1 << (entry.id & 31));
      unlift(entry);
      entry = entry.next;
    }
  }
  return 'ok';
}

export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  stepsMax = 2_000_000,
): CheckResult {
  const parts = model.partition ? model.partition(ops) : [ops.slice()];
  let result: CheckResult = 'ok';
  for (const p of parts) {
    const r = checkSingle(model, p, stepsMax);
    if (r === 'illegal') return 'illegal';
    if (r === 'unknown') result = 'unknown';
  }
  return result;
}
