// MQTT over a Unix-domain socket for local clients. A supervised agent inside its own network namespace has no TCP at
// all, not even the host's loopback; a pathname socket is a file, so it still reaches the broker through it. Clients
// authenticate as on TCP (the supervised agents' HMAC tokens); the file mode (0660) only narrows who may try.
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Aedes } from 'aedes';
import type { BrokerGuard } from './access.js';

/** sockaddr_un.sun_path holds 108 bytes with the terminating NUL */
export const UNIX_PATH_BYTES_MAX = 107;

/** The socket path of the embedded broker, or null (external broker, or `broker.unixSocket: null`). */
export function unixSocketPathOf(config: {
  broker: { url: string | null; unixSocket: string | null };
  store: { dataDir: string };
}): string | null {
  const p = config.broker.unixSocket;
  if (config.broker.url || p === null) return null;
  return isAbsolute(p) ? p : resolve(config.store.dataDir, p);
}

/** `mqtt+unix:///path` is what mqtt.js understands (it connects with net's `path`) */
export function unixSocketUrl(path: string): string {
  return `mqtt+unix://${path}`;
}

export interface UnixListener {
  path: string;
  close(): Promise<void>;
}

/** A socket file left by a gateway that died is removed; one that still answers means another broker owns it. */
async function clearStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // absent
  }
  if (!isSocket) throw new Error(`broker.unixSocket: ${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((done) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
  if (alive) throw new Error(`broker.unixSocket: ${path} is in use by another broker`);
  unlinkSync(path);
}

/** Listens on `path` (mode 0660, folder 0750) and hands each accepted connection to aedes, through the guard. */
export async function listenUnix(
  path: string,
  aedes: Aedes,
  guard: BrokerGuard | undefined,
  sockets: Set<Socket>,
): Promise<UnixListener> {
  if (Buffer.byteLength(path) > UNIX_PATH_BYTES_MAX) {
    throw new Error(`broker.unixSocket: ${path} is longer than ${UNIX_PATH_BYTES_MAX} bytes (a Unix socket limit)`);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  await clearStale(path);
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (guard && !guard.accept(socket, 'unix')) return;
    aedes.handle(socket);
  });
  await new Promise<void>((done, fail) => {
    const onError = (err: Error) => fail(new Error(`broker.unixSocket: cannot listen on ${path}: ${err.message}`));
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      done();
    });
  });
  // before the chmod the umask applies (usually 0755): nobody but the owner can write, so nobody else can connect
  chmodSync(path, 0o660);
  let closing: Promise<void> | undefined;
  return {
    path,
    close: () => {
      closing ??= new Promise<void>((done) => server.close(() => done())).then(() => {
        try {
          unlinkSync(path);
        } catch {
          // already gone (net removes it on close on some platforms)
        }
      });
      return closing;
    },
  };
}
