// Path checks for an agent's files area. A path is relative, '/'-separated, with no empty, '.' or '..' segment and no
// NUL; after that every directory on the way is checked with lstat (a symlinked directory is refused) and the parent's
// realpath must stay inside the area's realpath. The final component is opened with O_NOFOLLOW by the caller.
import { constants, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

export const PATH_CHARS_MAX = 1024;
export const PATH_DEPTH_MAX = 16;
export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export type StorageErrorCode = 'EPATH' | 'EESCAPE' | 'ENOENT' | 'EQUOTA' | 'EVALUE' | 'EKEY' | 'EAGENT';

export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The path's segments, or a StorageError naming the path. */
export function checkRelativePath(path: unknown, field = 'path'): string[] {
  if (typeof path !== 'string' || path.length === 0)
    throw new StorageError('EPATH', `${field} must be a non-empty string`);
  if (path.length > PATH_CHARS_MAX) throw new StorageError('EPATH', `${field} is longer than ${PATH_CHARS_MAX} chars`);
  if (path.includes('\0')) throw new StorageError('EPATH', `${field} contains NUL`);
  if (path.startsWith('/') || path.includes('\\'))
    throw new StorageError('EPATH', `${field} ${JSON.stringify(path)} must be relative with '/' separators`);
  const parts = path.split('/');
  if (parts.length > PATH_DEPTH_MAX)
    throw new StorageError('EPATH', `${field} is deeper than ${PATH_DEPTH_MAX} levels`);
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') {
      throw new StorageError(
        'EESCAPE',
        `${field} ${JSON.stringify(path)} has a '${p || '//'}' segment; traversal is not allowed`,
      );
    }
  }
  return parts;
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root + sep);
}

/**
 * Resolves the directory that will hold `parts`' last segment, creating missing directories when `create` is set.
 * Refuses a symlink on the way and any realpath outside `root` (which must itself be a realpath).
 */
export function resolveParent(root: string, parts: string[], create: boolean, path: string): string {
  let dir = root;
  for (const seg of parts.slice(0, -1)) {
    const next = join(dir, seg);
    let st: ReturnType<typeof lstatSync> | undefined;
    try {
      st = lstatSync(next);
    } catch {
      st = undefined;
    }
    if (!st) {
      if (!create) throw new StorageError('ENOENT', `no such file ${JSON.stringify(path)}`);
      mkdirSync(next, { mode: 0o700 });
    } else if (st.isSymbolicLink()) {
      throw new StorageError('EESCAPE', `path ${JSON.stringify(path)} goes through a symlink; not allowed`);
    } else if (!st.isDirectory()) {
      throw new StorageError('EPATH', `path ${JSON.stringify(path)}: ${seg} is not a directory`);
    }
    dir = next;
  }
  const real = realpathSync(dir);
  if (!inside(root, real))
    throw new StorageError('EESCAPE', `path ${JSON.stringify(path)} resolves outside the agent's storage`);
  return real;
}
