// A lowdb adapter that writes durably: the JSON goes to a temporary file that is fsync'ed, renamed over the target,
// and the directory is fsync'ed so the rename itself survives a power cut. (lowdb's own JSONFile renames without
// fsync, and its JSONFilePreset silently switches to memory under NODE_ENV=test; we use neither.)
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';

export class FsyncJsonFile<T> implements Adapter<T> {
  readonly path: string;
  #seq = 0;

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      // never start over an unreadable file: that would lose what it holds
      throw new Error(
        `state file ${this.path} is not valid JSON (${(err as Error).message}); move it away to start empty`,
      );
    }
  }

  async write(data: T): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.${++this.#seq}.tmp`;
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(data));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}
