// The seam for process sandboxing. The security area supplies a function that returns extra node arguments for an
// agent (for instance Node's permission model: --permission --allow-fs-read=<agentDir> --allow-fs-write=<storageDir>);
// the kernel puts them before the entry. The default adds nothing.
import type { AgentManifest } from './manifest.js';

export interface SandboxContext {
  /** real path of the agent's folder (its code) */
  agentDir: string;
  /** real path of the entry file */
  entryPath: string;
  /** the agent's own storage folder (runtime/kernel/storage) */
  storageDir: string;
}

export type SandboxArgs = (manifest: AgentManifest, ctx: SandboxContext) => string[];

export const noSandbox: SandboxArgs = () => [];
