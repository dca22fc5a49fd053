// Checked knobs for policy factories: unknown keys and out-of-range values throw naming the policy and the field.

export type PolicyOptions = Readonly<Record<string, unknown>>;

export class OptionReader {
  private readonly seen = new Set<string>();

  constructor(
    private readonly policy: string,
    private readonly options: PolicyOptions,
  ) {}

  number(key: string, fallback: number, min: number, max: number): number {
    this.seen.add(key);
    const v = this.options[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new TypeError(
        `policy "${this.policy}": option ${key} must be a number in [${min}, ${max}], got ${String(v)}`,
      );
    }
    return v;
  }

  choice<T extends string>(key: string, fallback: T, valid: readonly T[]): T {
    this.seen.add(key);
    const v = this.options[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !valid.includes(v as T)) {
      throw new TypeError(
        `policy "${this.policy}": option ${key} must be one of ${valid.join(', ')}, got ${String(v)}`,
      );
    }
    return v as T;
  }

  /** Call after reading every knob: rejects keys the policy does not know. */
  done(): void {
    const unknown = Object.keys(this.options).filter((k) => !this.seen.has(k));
    if (unknown.length > 0) {
      const valid = [...this.seen].join(', ') || '(none)';
      throw new TypeError(`policy "${this.policy}": unknown option(s) ${unknown.join(', ')}; valid: ${valid}`);
    }
  }
}
