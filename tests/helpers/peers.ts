// System peers the tests use (Debian packages). A missing one fails the test with the command that installs it.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const PACKAGES: Record<string, string> = {
  mosquitto: 'mosquitto',
  mosquitto_pub: 'mosquitto-clients',
  mosquitto_sub: 'mosquitto-clients',
};

/** absolute path of a command (PATH plus /usr/sbin, /sbin), or an Error naming the apt-get line that installs it */
export function requireCommand(name: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  const pkg = PACKAGES[name] ?? name;
  throw new Error(`${name} not found; install it with: sudo apt-get install -y ${pkg}`);
}
