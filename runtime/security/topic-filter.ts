// Topic names and topic filters: validation of odd strings, and the two set questions the ACL needs about filters,
// "does every topic filter F can match also match A?" (covers) and "can F and D match a common topic?" (overlaps).
// Wildcard semantics follow MQTT 3.1.1 section 4.7.

/** Longest topic we accept, in UTF-8 bytes. MQTT allows 65535; nothing in this system needs more than a few hundred. */
export const TOPIC_BYTES_MAX = 1024;
/** Deepest topic we accept, in levels (aedes itself caps at 100). */
export const TOPIC_LEVELS_MAX = 32;

// C0 and C1 control characters, including NUL [MQTT-1.5.3-2]; U+FFFD marks bytes that were not valid UTF-8 when the
// packet parser decoded them [MQTT-1.5.3-1].
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\ufffd]/;
// a string with one half of a surrogate pair cannot be encoded as UTF-8 (String#isWellFormed is ES2024)
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function commonProblems(s: string, what: string): string | null {
  if (typeof s !== 'string') return `${what}: not a string`;
  if (s.length === 0) return `${what}: empty`;
  if (Buffer.byteLength(s, 'utf8') > TOPIC_BYTES_MAX) return `${what}: longer than ${TOPIC_BYTES_MAX} bytes`;
  if (LONE_SURROGATE.test(s)) return `${what}: not valid UTF-8 (lone surrogate)`;
  if (FORBIDDEN_CHARS.test(s)) return `${what}: contains a control character, NUL or invalid UTF-8`;
  const levels = s.split('/');
  if (levels.length > TOPIC_LEVELS_MAX) return `${what}: more than ${TOPIC_LEVELS_MAX} levels`;
  // Empty levels are legal MQTT but no topic of ours has one; they are a classic way to dodge prefix checks.
  if (levels.some((l) => l.length === 0)) return `${what}: has an empty level`;
  // MQTT has no path semantics, but topics reach code that builds file paths and URLs from levels
  if (levels.some((l) => l === '.' || l === '..')) return `${what}: has a '.' or '..' level`;
  return null;
}

// Topics made only of these characters need no UTF-8, control-character or wildcard checks (the common case).
const PLAIN_TOPIC = /^[A-Za-z0-9_.:\-/]{1,1024}$/;

/** The plain-topic fast path: only the level shape remains to check. */
function plainTopicProblem(topic: string): string | null {
  if (topic.startsWith('/') || topic.endsWith('/') || topic.includes('//')) return 'topic: has an empty level';
  if (topic.includes('.')) {
    const levels = topic.split('/');
    if (levels.some((l) => l === '.' || l === '..')) return "topic: has a '.' or '..' level";
  }
  let levels = 1;
  for (let i = topic.indexOf('/'); i !== -1; i = topic.indexOf('/', i + 1)) levels++;
  return levels > TOPIC_LEVELS_MAX ? `topic: more than ${TOPIC_LEVELS_MAX} levels` : null;
}

/** Null when `topic` is an acceptable topic name to publish to; otherwise the reason. */
export function topicNameProblem(topic: string): string | null {
  if (typeof topic === 'string' && PLAIN_TOPIC.test(topic)) return plainTopicProblem(topic);
  const p = commonProblems(topic, 'topic');
  if (p) return p;
  if (topic.includes('+') || topic.includes('#')) return 'topic: wildcards are not allowed in a topic name';
  return null;
}

/** Null when `filter` is an acceptable subscription filter; otherwise the reason. */
export function topicFilterProblem(filter: string): string | null {
  const p = commonProblems(filter, 'topic filter');
  if (p) return p;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) {
      return 'topic filter: # must be a whole level and the last one'; // [MQTT-4.7.1-2]
    }
    if (l.includes('+') && l !== '+') return 'topic filter: + must be a whole level'; // [MQTT-4.7.1-3]
  }
  return null;
}

/** True when topic name `topic` matches filter `filter`. */
export function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // Wildcards at the first level do not match topics starting with $ [MQTT-4.7.2-1]
  if (t[0]!.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const fl = f[i]!;
    if (fl === '#') return true; // also matches the parent level [MQTT-4.7.1-2]
    if (i >= t.length) return false;
    if (fl !== '+' && fl !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * True when every topic that filter `f` can match is also matched by filter `a`. Used to allow a subscription only
 * when it cannot reach beyond what one allowed filter grants. Conservative: a filter covered only by a union of
 * several allowed filters is refused, which never grants too much.
 */
export function covers(a: string, f: string): boolean {
  const al = a.split('/');
  const fl = f.split('/');
  if (fl[0]!.startsWith('$') && (al[0] === '+' || al[0] === '#')) return false;
  for (let i = 0; i < fl.length; i++) {
    const x = al[i];
    const y = fl[i]!;
    if (x === '#') return true;
    if (x === undefined) return false; // f is deeper than a and a has no trailing #
    if (y === '#') return false; // f reaches any depth, a does not
    if (x === '+') continue;
    if (y === '+' || x !== y) return false;
  }
  if (al.length === fl.length) return true;
  // a is deeper: only `a = f/#` still matches everything f matches (# matches its parent)
  return al.length === fl.length + 1 && al[fl.length] === '#';
}

/** True when some topic name matches both filters. */
export function overlaps(a: string, b: string): boolean {
  const al = a.split('/');
  const bl = b.split('/');
  const dollar = (x: string, y: string) => x.startsWith('$') && (y === '+' || y === '#');
  if (dollar(al[0]!, bl[0]!) || dollar(bl[0]!, al[0]!)) return false;
  const n = Math.max(al.length, bl.length);
  for (let i = 0; i < n; i++) {
    const x = al[i];
    const y = bl[i];
    if (x === '#' || y === '#') return true;
    // one filter ended and the other goes deeper without a # (that case returned above): no common topic
    if (x === undefined || y === undefined) return false;
    if (x !== '+' && y !== '+' && x !== y) return false;
  }
  return true;
}
