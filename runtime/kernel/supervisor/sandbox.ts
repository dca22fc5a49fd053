// The seam for process sandboxing. The security area supplies a function that returns extra node arguments for an
// agent (for instance Node's permission model: --permission --allow-fs-read=<agentDir> --allow-fs-write=<storageDir>);
// the kernel puts them before the entry. It may instead return a SandboxPlan, which can also wrap the spawn in a
// command (`unshare --net --`, which execs node, so the pid stays the agent's) and override environment variables
// (AGENTOS_URL at the broker's Unix socket). Throwing refuses the start: the agent is marked failed with the message
// as its reason, and is not restarted (a refusal does not go away by retrying). The default adds nothing.
import type { AgentManifest } from './manifest.js';

export interface SandboxContext {
  /** real path of the agent's folder (its code) */
  agentDir: string;
  /** real path of the entry file */
  entryPath: string;
  /** the agent's own storage folder (runtime/kernel/storage) */
  storageDir: string;
}

export interface SandboxPlan {
  nodeArgs: string[];
  /** command line before node: `[...prefix, process.execPath, ...args]`; must exec node (not fork) */
  prefix?: string[] | undefined;
  /** environment that wins over the kernel's */
  env?: Record<string, string> | undefined;
}

export type SandboxArgs = (manifest: AgentManifest, ctx: SandboxContext) => string[] | SandboxPlan;

export const noSandbox: SandboxArgs = () => [];

export function toPlan(result: string[] | SandboxPlan): SandboxPlan {
  return Array.isArray(result) ? { nodeArgs: result } : result;
}
