// A real Mosquitto broker on a free loopback port, with its own config in a temp dir; stopped when the test ends.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { requireCommand } from './peers.js';
import type { Teardown } from './teardown.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** `port`: reuse a port (restart a broker where clients expect it); default: a free one */
export async function startMosquitto(t: Teardown, extraConfig: string[] = [], port?: number): Promise<Mosquitto> {
  const bin = requireCommand('mosquitto');
  const dir = await tempDir(t, 'agentos-mosq-');
  port ??= await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ...extraConfig, ''].join('\n'),
  );
  const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  t.teardown(stop);
  const listening = port;
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}: ${stderr.trim()}`);
      return canConnect(listening);
    },
    15000,
    `mosquitto to listen on 127.0.0.1:${port}`,
  );
  return { url: `mqtt://127.0.0.1:${port}`, port, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
