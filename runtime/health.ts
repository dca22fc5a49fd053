// The `health` API method's contents: each component adds a section by name.
export class HealthReporter {
  readonly #sections = new Map<string, () => unknown>();

  /** adds a section; returns a function removing it */
  add(name: string, section: () => unknown): () => void {
    this.#sections.set(name, section);
    return () => this.#sections.delete(name);
  }

  report(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, section] of this.#sections) {
      try {
        out[name] = section();
      } catch (err) {
        out[name] = { error: (err as Error).message };
      }
    }
    return out;
  }
}
