// What the helpers need of a tap test: a place to register cleanup. Any `t` from tap satisfies it.
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** the repository root (helpers spawn processes from there so `--import tsx` resolves) */
export const repoRoot: string = new URL('../../', import.meta.url).pathname;
