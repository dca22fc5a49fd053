// A bounded, rotated log file per agent: <name>.log, then <name>.log.1 .. <name>.log.<filesMax-1>. Writes are
// synchronous appends of whole lines, so a gateway crash loses no line that was already written; the total on disk
// is at most bytesMax * filesMax (plus one line).
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export interface RotatingLogOptions {
  dir: string;
  name: string;
  /** rotate once the current file reaches this size, bytes */
  bytesMax: number;
  /** current file plus rotated ones kept */
  filesMax: number;
}

/** longest partial line kept while waiting for its newline, bytes */
const PARTIAL_LINE_BYTES_MAX = 8192;

export class RotatingLog {
  private fd: number | null = null;
  private size = 0;
  private partial: Record<string, string> = {};
  readonly path: string;

  constructor(private readonly opts: RotatingLogOptions) {
    if (opts.bytesMax < 1024) throw new TypeError('RotatingLog: bytesMax must be >= 1024');
    if (opts.filesMax < 1) throw new TypeError('RotatingLog: filesMax must be >= 1');
    this.path = join(opts.dir, `${opts.name}.log`);
  }

  private open(): number {
    if (this.fd === null) {
      mkdirSync(this.opts.dir, { recursive: true });
      this.fd = openSync(this.path, 'a', 0o600);
      this.size = statSync(this.path).size;
    }
    return this.fd;
  }

  private rotate(): void {
    this.close();
    const last = `${this.path}.${this.opts.filesMax - 1}`;
    if (this.opts.filesMax === 1) rmSync(this.path, { force: true });
    else if (existsSync(last)) rmSync(last, { force: true });
    for (let i = this.opts.filesMax - 2; i >= 1; i--) {
      const from = `${this.path}.${i}`;
      if (existsSync(from)) renameSync(from, `${this.path}.${i + 1}`);
    }
    if (this.opts.filesMax > 1 && existsSync(this.path)) renameSync(this.path, `${this.path}.1`);
  }

  /** Writes one line, prefixed by time and stream. */
  line(stream: string, text: string): void {
    const out = Buffer.from(`${new Date().toISOString()} ${stream} ${text}\n`);
    if (this.size + out.length > this.opts.bytesMax && this.size > 0) this.rotate();
    const fd = this.open();
    writeSync(fd, out);
    this.size += out.length;
  }

  /** Splits a chunk of child output into lines; a partial line waits for its end (capped). */
  chunk(stream: string, data: Buffer | string): void {
    const text = (this.partial[stream] ?? '') + data.toString();
    const lines = text.split('\n');
    let rest = lines.pop() ?? '';
    for (const l of lines) this.line(stream, l);
    if (rest.length > PARTIAL_LINE_BYTES_MAX) {
      this.line(stream, rest);
      rest = '';
    }
    this.partial[stream] = rest;
  }

  /** Writes out partial lines (at process exit). */
  flush(): void {
    for (const [stream, rest] of Object.entries(this.partial)) if (rest) this.line(stream, rest);
    this.partial = {};
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** The last `linesMax` lines over the rotated files, oldest first. */
  tail(linesMax: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.opts.filesMax && out.length < linesMax; i++) {
      const file = i === 0 ? this.path : `${this.path}.${i}`;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n').filter((l) => l.length > 0);
      out.unshift(...lines.slice(-(linesMax - out.length)));
    }
    return out;
  }
}
