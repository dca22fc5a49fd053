// Password hashing with scrypt (RFC 7914). Each entry carries its own salt and cost parameters so they can be raised
// later without invalidating stored hashes. Comparison is constant-time over equal-length buffers.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two */
  N: number;
  r: number;
  p: number;
}

/**
 * 2^14 * 8 * 128 B = 16 MiB per hash. Secrets are machine-generated (192 bits), so the cost guards operator-chosen
 * passwords against offline guessing while keeping a reconnect storm of agents affordable on a Pi.
 */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 16384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** longest secret we hash; longer inputs are refused before doing any work */
export const SECRET_BYTES_MAX = 1024;

function derive(secret: Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem must cover 128 * N * r bytes plus slack, or Node refuses the cost we ask for
  const maxmem = 256 * params.N * params.r;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Encoded as `scrypt$N$r$p$<salt b64>$<hash b64>`. */
export async function hashSecret(secret: string | Buffer, params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  const buf = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (buf.length === 0 || buf.length > SECRET_BYTES_MAX) {
    throw new RangeError(`secret: length must be 1..${SECRET_BYTES_MAX} bytes, got ${buf.length}`);
  }
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(buf, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

export function parseHash(encoded: string): ParsedHash | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const validN = Number.isInteger(N) && N >= 1024 && N <= 1_048_576 && (N & (N - 1)) === 0;
  if (!validN || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < 8 || key.length !== KEY_BYTES) return null;
  return { params: { N, r, p }, salt, key };
}

/** True when `secret` matches `encoded`. Never throws for bad input; a malformed hash never matches. */
export async function verifySecret(secret: Buffer | string | undefined, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  const buf = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (!parsed) return false;
  // Refused inputs still pay one derivation so timing does not reveal why they failed.
  const usable = buf !== undefined && buf.length > 0 && buf.length <= SECRET_BYTES_MAX;
  const candidate = await derive(usable ? buf : Buffer.alloc(1), parsed.salt, parsed.params);
  return timingSafeEqual(candidate, parsed.key) && usable;
}

/** A fixed hash to verify against when the identity does not exist, so unknown and known users cost the same. */
let decoyHash: Promise<string> | undefined;
export function decoy(): Promise<string> {
  decoyHash ??= hashSecret(randomBytes(24));
  return decoyHash;
}

/** A fresh random secret for an identity, URL-safe, 192 bits. */
export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}
