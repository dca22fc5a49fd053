// Debian's mosquitto_pub / mosquitto_sub as real external clients.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { requireCommand } from './peers.js';
import type { Teardown } from './teardown.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** runs mosquitto_pub with these arguments; rejects with its stderr on a non-zero exit */
export async function mosquittoPub(args: string[], timeoutMs = 15000): Promise<void> {
  await run(requireCommand('mosquitto_pub'), args, { timeout: timeoutMs });
}

/** publishes one QoS 1 message with mosquitto_pub to the broker on 127.0.0.1:PORT */
export async function mosquittoPublish(port: number | string, topic: string, message: string): Promise<void> {
  await mosquittoPub(['-h', '127.0.0.1', '-p', String(port), '-q', '1', '-t', topic, '-m', message]);
}

/** runs a shell line (e.g. the README's exact mosquitto_pub line) */
export async function shell(line: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 15000): Promise<string> {
  requireCommand('mosquitto_pub');
  const { stdout } = await run('sh', ['-c', line], { timeout: timeoutMs, env: { ...process.env, ...env } });
  return stdout;
}

export interface MosquittoSub {
  /** lines printed so far (`-v` prints "topic payload") */
  lines: string[];
  /** waits until a line satisfies the predicate */
  waitLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** sends a signal (SIGKILL: the socket dies without DISCONNECT, so the broker publishes the will) */
  kill(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** a long-running mosquitto_sub, stopped when the test ends */
export async function mosquittoSub(t: Teardown, args: string[]): Promise<MosquittoSub> {
  // stdbuf -oL: mosquitto_sub block-buffers a pipe, which would hide the -d "SUBACK" line until it exits
  const child = spawn(requireCommand('stdbuf'), ['-oL', requireCommand('mosquitto_sub'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  t.teardown(stop);
  return {
    lines,
    waitLine: (predicate, timeoutMs = 10000) => waitFor(() => lines.find(predicate), timeoutMs, 'a mosquitto_sub line'),
    kill: (signal) => {
      child.kill(signal);
    },
    stop,
  };
}
