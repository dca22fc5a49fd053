// The site key: a random secret shared by the gateways of one site, used for HMAC on cluster messages. Stored as hex
// in a file of mode 0600; a file others can read is refused, since anyone holding the key can forge votes.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SITE_KEY_BYTES_MIN } from './cluster-auth.js';

export async function readSiteKey(path: string): Promise<Buffer> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`security.siteKeyFile: cannot read ${path} (${err.code ?? err.message})`);
  });
  if ((st.mode & 0o077) !== 0) {
    throw new Error(
      `security.siteKeyFile: ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  const text = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-f]+$/i.test(text) || text.length % 2 !== 0 || text.length / 2 < SITE_KEY_BYTES_MIN) {
    throw new Error(`security.siteKeyFile: ${path} must hold at least ${SITE_KEY_BYTES_MIN} bytes as hex`);
  }
  return Buffer.from(text, 'hex');
}

/** Writes a new 32-byte key unless the file exists (never overwrites: the other gateways hold a copy). */
export async function createSiteKey(path: string): Promise<{ created: boolean }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(`${randomBytes(32).toString('hex')}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { created: false };
    throw err;
  }
}
