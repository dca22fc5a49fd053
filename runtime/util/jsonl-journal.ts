// Replaying an append-only JSON-lines journal the same way everywhere (kernel mailboxes, the SDK outbox). Only
// node:fs, no runtime imports, so the SDK can use it without pulling in gateway code.
import { readFileSync, truncateSync } from 'node:fs';

/**
 * Feeds each record of the journal at `path` to `apply`, oldest first; a missing file is an empty journal. Replay stops
 * at the first empty or unparsable line (a torn last write, never acknowledged to its writer: everything after it is
 * unreliable) and the file is cut there. Returns the byte length of the good prefix, where the next append lands.
 */
export function replayJsonlJournal<L>(path: string, apply: (line: L) => void): number {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let good = 0;
  for (const raw of text.split('\n')) {
    if (raw === '') break;
    let line: L;
    try {
      line = JSON.parse(raw) as L;
    } catch {
      break;
    }
    good += Buffer.byteLength(raw) + 1;
    apply(line);
  }
  if (good < Buffer.byteLength(text)) truncateSync(path, good);
  return good;
}
