// The Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/):
// one family at a time, its # HELP and # TYPE first and its samples together, label values escaped. Names are our own
// constants, so a bad name or a family written twice is a bug and throws; the page size is bounded while it is built.

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';
export type Labels = Readonly<Record<string, string>>;
/** one series: its labels (none: {}) and value */
export type Sample = readonly [Labels, number];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// names starting with __ are reserved for Prometheus itself
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;

export class ResponseTooLargeError extends Error {
  constructor(readonly bytesMax: number) {
    super(`metrics page over ${bytesMax} bytes (metrics.responseBytesMax)`);
    this.name = 'ResponseTooLargeError';
  }
}

export class Exposition {
  readonly #parts: string[] = [];
  readonly #names = new Set<string>();
  #bytes = 0;
  #series = 0;

  constructor(readonly bytesMax: number) {}

  /** writes one family; an empty `samples` writes nothing (a family without samples tells a scraper nothing) */
  metric(name: string, type: MetricType, help: string, samples: readonly Sample[]): void {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name "${name}"`);
    // [Prometheus naming] counters end in _total; other families must not, or they read as counters
    if ((type === 'counter') !== name.endsWith('_total')) throw new Error(`${type} "${name}" and its _total suffix`);
    if (this.#names.has(name)) throw new Error(`metric family "${name}" written twice`);
    this.#names.add(name);
    if (samples.length === 0) return;
    let text = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
    for (const [labels, value] of samples) text += `${name}${formatLabels(labels)} ${formatValue(value)}\n`;
    this.#bytes += Buffer.byteLength(text);
    if (this.#bytes > this.bytesMax) throw new ResponseTooLargeError(this.bytesMax);
    this.#parts.push(text);
    this.#series += samples.length;
  }

  /** a gauge with one series and no labels (the common case) */
  gauge(name: string, help: string, value: number): void {
    this.metric(name, 'gauge', help, [[{}, value]]);
  }

  counter(name: string, help: string, value: number): void {
    this.metric(name, 'counter', help, [[{}, value]]);
  }

  get series(): number {
    return this.#series;
  }

  text(): string {
    return this.#parts.join('');
  }
}

/** label values may hold any UTF-8; backslash, double quote and line feed are escaped */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text escapes backslash and line feed (not the double quote) */
function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function formatLabels(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return '';
  const pairs = names.map((n) => {
    if (!LABEL_NAME.test(n)) throw new Error(`invalid label name "${n}"`);
    return `${n}="${escapeLabelValue(labels[n] as string)}"`;
  });
  return `{${pairs.join(',')}}`;
}

/** Go's ParseFloat reads what JavaScript prints for finite numbers (1e+21 included); the rest are spelled out */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
