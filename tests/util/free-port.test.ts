// free-port.ts: ports come from below the kernel's ephemeral range, so no port-0 listener or outgoing connection can
// take one between the check and the peer's bind; each is bindable when returned.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ephemeralLow, freePort } from '../../runtime/util/free-port.js';

t.test('ephemeralLow reads the range and falls back to Linux default', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'free-port-'));
  writeFileSync(join(dir, 'range'), '40000\t60999\n');
  t.equal(ephemeralLow(join(dir, 'range')), 40000);
  writeFileSync(join(dir, 'bad'), 'x y');
  t.equal(ephemeralLow(join(dir, 'bad')), 32768);
  t.equal(ephemeralLow(join(dir, 'missing')), 32768);
});

t.test('freePort gives distinct bindable ports below the ephemeral range', async (t) => {
  const low = ephemeralLow();
  const ports = await Promise.all(Array.from({ length: 8 }, () => freePort()));
  for (const port of ports) {
    if (low - 10_000 >= 1000) t.ok(port >= 10_000 && port < low, `${port} below ${low}`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  t.ok(new Set(ports).size >= 7, 'ports are spread');
});
