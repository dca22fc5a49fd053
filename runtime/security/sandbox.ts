// Least privilege for software agents. Node's permission model (Node 20: --experimental-permission) limits a child
// node process to reading its own code and storage and writing only its storage; it grants no child processes, no
// worker threads and no native addons. It does NOT restrict the network: for an agent that needs no network we run
// it in a fresh network namespace (`unshare --net`: only a downed loopback), where no TCP/UDP connection can leave.
// Pathname Unix sockets still work across namespaces, which is how such an agent can reach a broker socket.
import { execFile, execFileSync } from 'node:child_process';

/** What the supervisor knows about the agent (structurally the kernel's SandboxContext). */
export interface SandboxTarget {
  /** real path of the agent's folder (its code) */
  agentDir: string;
  /** real path of the entry file */
  entryPath: string;
  /** the agent's own storage folder, the only place it may write */
  storageDir: string;
}

export interface SandboxPolicy {
  /** extra folders every agent may read (the SDK, shared node_modules) */
  readPaths?: readonly string[] | undefined;
}

/** `--permission` became stable in Node 22; Node 20 spells it `--experimental-permission`. */
export function permissionFlag(version: string = process.versions.node): string {
  const major = Number(version.split('.')[0]);
  return major >= 22 ? '--permission' : '--experimental-permission';
}

function supportsDisableWarning(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 20 || (major === 20 && minor >= 11);
}

/**
 * Node arguments that confine one agent. No --allow-child-process, --allow-worker or --allow-addons: those stay
 * denied. Paths are given one per flag (Node 20.x refuses comma lists).
 */
export function sandboxNodeArgs(target: SandboxTarget, policy: SandboxPolicy = {}): string[] {
  if (/\.(m|c)?ts$/.test(target.entryPath)) {
    // tsx registers its loader on a worker thread, which the permission model forbids (and --allow-worker, Node
    // warns, "could invalidate the permission model"): refuse rather than run the agent unconfined
    throw new TypeError(
      `sandbox: ${target.entryPath} is TypeScript; a sandboxed agent must be JavaScript (.js, .mjs, .cjs): build it first`,
    );
  }
  const reads = new Set<string>([target.agentDir, target.storageDir, ...(policy.readPaths ?? [])]);
  return [
    permissionFlag(),
    ...[...reads].map((p) => `--allow-fs-read=${p}`),
    `--allow-fs-write=${target.storageDir}`,
    // the experimental warning on every start would fill the agent's log with noise (flag exists from 20.11)
    ...(supportsDisableWarning() ? ['--disable-warning=ExperimentalWarning'] : []),
  ];
}

/** The kernel's SandboxArgs shape: `(manifest, ctx) => string[]`. */
export function createSandboxArgs(policy: SandboxPolicy = {}): (_manifest: unknown, ctx: SandboxTarget) => string[] {
  return (_manifest, ctx) => sandboxNodeArgs(ctx, policy);
}

export interface NetworkIsolation {
  available: boolean;
  /** prefix for the spawn command line: `[...prefix, process.execPath, ...args]` */
  prefix: string[];
  reason: string;
}

let probed: Promise<NetworkIsolation> | undefined;
let probedSync: NetworkIsolation | undefined;

const NAMESPACE_PREFIXES = [
  ['unshare', '--net', '--'],
  ['unshare', '--user', '--map-root-user', '--net', '--'],
];

/**
 * probeNetworkIsolation for the supervisor's synchronous spawn path: runs `unshare ... true` once per gateway process
 * (a few ms) and remembers the answer.
 */
export function probeNetworkIsolationSync(): NetworkIsolation {
  if (probedSync) return probedSync;
  const failures: string[] = [];
  for (const prefix of NAMESPACE_PREFIXES) {
    try {
      execFileSync(prefix[0]!, [...prefix.slice(1), 'true'], { timeout: 5000, stdio: ['ignore', 'ignore', 'pipe'] });
      probedSync = { available: true, prefix, reason: `${prefix.join(' ')} works` };
      return probedSync;
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      failures.push(`${prefix.slice(0, -1).join(' ')}: ${(String(e.stderr ?? '').trim() || e.message).split('\n')[0]}`);
    }
  }
  probedSync = { available: false, prefix: [], reason: `no network namespace: ${failures.join('; ')}` };
  return probedSync;
}

/**
 * Whether this host can put a process in its own network namespace. Root (or CAP_SYS_ADMIN) can `unshare --net`;
 * an unprivileged user can when unprivileged user namespaces are enabled (`unshare --user --map-root-user --net`).
 */
export function probeNetworkIsolation(): Promise<NetworkIsolation> {
  probed ??= (async () => {
    const candidates = NAMESPACE_PREFIXES;
    const failures: string[] = [];
    for (const prefix of candidates) {
      const ok = await new Promise<string | null>((resolve) => {
        execFile(prefix[0]!, [...prefix.slice(1), 'true'], { timeout: 5000 }, (err, _o, stderr) =>
          resolve(err ? (String(stderr).trim() || err.message).split('\n')[0]! : null),
        );
      });
      if (ok === null) return { available: true, prefix, reason: `${prefix.join(' ')} works` };
      failures.push(`${prefix.slice(0, -1).join(' ')}: ${ok}`);
    }
    return { available: false, prefix: [], reason: `no network namespace: ${failures.join('; ')}` };
  })();
  return probed;
}

/**
 * The command line to spawn a sandboxed agent: node with the permission flags, inside a private network namespace
 * when the agent needs no network and the host allows it. `networkIsolated` says honestly which happened.
 */
export async function sandboxedCommand(
  target: SandboxTarget,
  opts: { needsNetwork: boolean; args?: readonly string[] | undefined; policy?: SandboxPolicy | undefined },
): Promise<{ command: string; args: string[]; networkIsolated: boolean; note: string }> {
  const nodeArgs = [...sandboxNodeArgs(target, opts.policy), target.entryPath, ...(opts.args ?? [])];
  if (opts.needsNetwork) {
    return { command: process.execPath, args: nodeArgs, networkIsolated: false, note: 'agent asked for network' };
  }
  const iso = await probeNetworkIsolation();
  if (!iso.available) return { command: process.execPath, args: nodeArgs, networkIsolated: false, note: iso.reason };
  const [cmd, ...rest] = iso.prefix;
  return { command: cmd!, args: [...rest, process.execPath, ...nodeArgs], networkIsolated: true, note: iso.reason };
}
