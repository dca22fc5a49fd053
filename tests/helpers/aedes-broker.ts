// An in-process aedes MQTT broker on 127.0.0.1 with a port chosen by the OS; closed when the test ends.
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Teardown } from './teardown.js';

export interface AedesBroker {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  /** drops the clients' sockets and closes the listener and the broker; a second call does nothing */
  close(): Promise<void>;
}

export async function startAedes(t: Teardown): Promise<AedesBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    aedes.handle(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  };
  t.teardown(close);
  return { url, close };
}
