// Which filters the gateway subscribes at an external broker for a set of in-process filters: a set that covers
// them all and whose members never overlap, so the broker sends each message once. [MQTT-3.3.5-1] lets a broker
// send one copy per matching subscription (aedes does; Mosquitto 2 does not): with agentos/v1/agents/# and
// agentos/v1/agents/+/telemetry both subscribed, such a broker would send every telemetry message twice. A filter
// covered by another is left out; two that overlap without one covering the other are replaced by one filter
// covering both (the router drops what it then receives for nobody).

/** true when every topic `b` matches is matched by `a` */
export function covers(a: readonly string[], b: readonly string[]): boolean {
  if (dollarGuard(a, b)) return false;
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === '#') return true;
    if (x === undefined || y === undefined) return x === y;
    if (y === '#') return false;
    if (x !== '+' && x !== y) return false;
  }
}

/** true when some topic matches both filters */
export function overlaps(a: readonly string[], b: readonly string[]): boolean {
  if (dollarGuard(a, b) || dollarGuard(b, a)) return false;
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === '#' || y === '#') return true;
    if (x === undefined || y === undefined) return x === y;
    if (x !== '+' && y !== '+' && x !== y) return false;
  }
}

/** [MQTT-4.7.2-1] a filter starting with a wildcard never matches a topic of a filter starting with '$' */
function dollarGuard(a: readonly string[], b: readonly string[]): boolean {
  const first = a[0];
  return (first === '#' || first === '+') && (b[0]?.startsWith('$') ?? false);
}

/** the narrowest filter of this shape covering both: equal levels kept, differing ones '+', a length change '#' */
export function generalize(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined && y === undefined) return out;
    if (x === '#' || y === '#' || x === undefined || y === undefined) {
      out.push('#');
      return out;
    }
    out.push(x === y ? x : '+');
  }
}

/** pairwise non-overlapping filters that together match every topic some filter of `filters` matches */
export function brokerFilters(filters: Iterable<string>): string[] {
  let chosen: string[][] = [];
  for (const filter of filters) {
    let f = filter.split('/');
    if (chosen.some((c) => covers(c, f))) continue;
    for (;;) {
      const other = chosen.find((c) => overlaps(c, f) && !covers(f, c));
      if (other === undefined) break;
      f = generalize(f, other);
    }
    const g = f;
    chosen = chosen.filter((c) => !covers(g, c));
    chosen.push(g);
  }
  return chosen.map((levels) => levels.join('/'));
}

/** a topic matches `filter` (topics.ts's topicMatches, under the name the cover tests use) */
export { topicMatches as filterMatches } from './topics.js';
