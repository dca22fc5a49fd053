// A loopback TCP port for a peer that cannot listen on port 0 itself (Mosquitto, a cluster node whose address its
// peers must know before it starts, a node restarted on its old address). A port from listen(0) is in the kernel's
// ephemeral range, which every other port-0 listener and every outgoing connection also draws from: between our close
// and the peer's bind it can be taken (EADDRINUSE, seen in the failover test). So the port is drawn below that range,
// where the kernel never assigns one by itself, and checked by binding it once.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports tried below the ephemeral range before falling back to one from listen(0). */
const ATTEMPTS = 50;
/** Never below this (privileged ports, well-known services). */
const LOWEST = 10_000;

/** The low end of the kernel's ephemeral port range (Linux's default when it cannot be read). */
export function ephemeralLow(path = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const low = Number(readFileSync(path, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(got));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago and that the kernel does not hand out to port-0 listeners. */
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  if (high - LOWEST >= 1000) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = LOWEST + Math.floor(Math.random() * (high - LOWEST));
      const got = await tryListen(port);
      if (got !== undefined) return got;
    }
  }
  const got = await tryListen(0);
  if (got === undefined) throw new Error('freePort: could not listen on 127.0.0.1');
  return got;
}
