// The replicated key-value state machine the simulation runs on top of Raft, and its command encoding.
export type KvInput =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'cas'; readonly key: string; readonly from: string | null; readonly to: string };

/** `put` returns 'ok', `get` the value (null if absent), `cas` whether it swapped. */
export type KvOutput = string | null | boolean;

export interface KvCommand {
  readonly id: string;
  readonly input: KvInput;
}

export class KvStore {
  private data = new Map<string, string>();
  appliedIndex = 0;

  apply(input: KvInput): KvOutput {
    if (input.op === 'put') {
      this.data.set(input.key, input.value);
      return 'ok';
    }
    if (input.op === 'get') return this.data.get(input.key) ?? null;
    const cur = this.data.get(input.key) ?? null;
    if (cur !== input.from) return false;
    this.data.set(input.key, input.to);
    return true;
  }

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  serialize(): string {
    return JSON.stringify({ a: this.appliedIndex, d: [...this.data].sort(([a], [b]) => (a < b ? -1 : 1)) });
  }

  restore(s: string): void {
    const v = JSON.parse(s) as { a: number; d: [string, string][] };
    this.data = new Map(v.d);
    this.appliedIndex = v.a;
  }
}
