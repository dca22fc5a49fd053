// The identity record kept by the credential store and the checks on its fields.
import type { Principal, PrincipalRole } from '../bus/access.js';
import { topicFilterProblem } from './topic-filter.js';

export type IdentityKind = 'agent' | 'operator' | 'gateway';
/** `homeassistant`: the Home Assistant integration's MQTT login (runtime/integrations/home-assistant) */
export type OperatorRole = 'admin' | 'viewer' | 'homeassistant';

export interface Identity {
  id: string;
  kind: IdentityKind;
  /** operators only */
  role?: OperatorRole | undefined;
  /** extra topic filters this identity may subscribe to */
  grants: string[];
  /** scrypt hash of the current secret (see password-hash.ts) */
  hash: string;
  createdAt: string;
  rotatedAt: string;
}

/** Ids become one topic level and a client-id prefix, so they exclude /, +, #, $, ':' and anything odd. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const GRANTS_MAX = 32;
export const KINDS: readonly IdentityKind[] = ['agent', 'operator', 'gateway'];
export const OPERATOR_ROLES: readonly OperatorRole[] = ['admin', 'viewer', 'homeassistant'];

export function idProblem(id: unknown): string | null {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    return `id: must match ${ID_PATTERN.source} (letters, digits, _ . -; 1..64 chars), got ${JSON.stringify(id)}`;
  }
  return null;
}

export function grantsProblem(grants: unknown): string | null {
  if (!Array.isArray(grants)) return 'grants: must be an array of topic filters';
  if (grants.length > GRANTS_MAX) return `grants: at most ${GRANTS_MAX} filters`;
  for (const [i, g] of grants.entries()) {
    const p = typeof g === 'string' ? topicFilterProblem(g) : 'not a string';
    if (p) return `grants[${i}]: ${p}`;
    if ((g as string).startsWith('$')) return `grants[${i}]: $-topics cannot be granted`;
  }
  return null;
}

/** Checks a record read from disk; returns the first problem with its field path, or null. */
export function identityProblem(x: unknown, at: string): string | null {
  if (typeof x !== 'object' || x === null) return `${at}: not an object`;
  const r = x as Record<string, unknown>;
  const idp = idProblem(r.id);
  if (idp) return `${at}.${idp}`;
  if (!KINDS.includes(r.kind as IdentityKind)) return `${at}.kind: must be one of ${KINDS.join(', ')}`;
  if (r.kind === 'operator' && !OPERATOR_ROLES.includes(r.role as OperatorRole)) {
    return `${at}.role: must be one of ${OPERATOR_ROLES.join(', ')}`;
  }
  const gp = grantsProblem(r.grants);
  if (gp) return `${at}.${gp}`;
  if (typeof r.hash !== 'string' || !r.hash.startsWith('scrypt$')) return `${at}.hash: not a scrypt hash`;
  return null;
}

export function principalOf(identity: Identity): Principal {
  const role: PrincipalRole =
    identity.kind === 'agent'
      ? 'agent'
      : identity.kind === 'gateway'
        ? 'gateway'
        : identity.role === 'admin'
          ? 'operator-admin'
          : identity.role === 'homeassistant'
            ? 'operator-homeassistant'
            : 'operator-viewer';
  return { id: identity.id, role, grants: [...identity.grants] };
}
