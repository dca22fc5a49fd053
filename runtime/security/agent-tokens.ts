// Credentials for the software agents the gateway's own supervisor starts. The supervisor must hand each agent a
// password synchronously at spawn, and these agents live and die with the gateway process, so their passwords are
// HMAC tokens under a key held only in this process's memory: nothing is written to disk, a token is useless after
// a gateway restart, and checking one costs one HMAC instead of scrypt.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { idProblem } from './identity.js';

export class AgentTokens {
  private readonly key = randomBytes(32);

  /** The password for supervised agent `id`. */
  tokenFor(id: string): string {
    const p = idProblem(id);
    if (p) throw new TypeError(p);
    return createHmac('sha256', this.key).update(`agent:${id}`).digest('base64url');
  }

  /** True when `password` is the token of `id`. Never throws for bad input. */
  verify(id: string | undefined, password: Buffer | undefined): boolean {
    if (id === undefined || password === undefined || idProblem(id) !== null) return false;
    const expected = Buffer.from(this.tokenFor(id));
    return password.length === expected.length && timingSafeEqual(password, expected);
  }
}
