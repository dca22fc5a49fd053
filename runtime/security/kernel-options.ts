// What the security layer gives the agent kernel (runtime/kernel/kernel-component.ts): the sandbox arguments for each
// supervised agent and the credentials it connects with. components.ts passes the result to KernelComponent.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrokerAccess } from '../bus/access.js';
import type { Config } from '../config/schema.js';
import type { SecurityLogger } from './denials.js';
import { sandboxNodeArgs } from './sandbox.js';
import { agentEnvFor } from './secure-access.js';

export interface KernelSecurityOptions {
  sandboxArgs?:
    | ((manifest: { name: string }, ctx: { agentDir: string; entryPath: string; storageDir: string }) => string[])
    | undefined;
  agentEnv?: ((name: string) => Record<string, string>) | undefined;
}

/** The installation's SDK and node_modules, which agents import (never the data dir, which holds other agents). */
export function installReadPaths(): string[] {
  const root = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
  return ['sdk', 'dist/sdk', 'node_modules'].map((p) => join(root, p)).filter((p) => existsSync(p));
}

export function kernelSecurityOptions(ctx: {
  config: Config;
  logger: SecurityLogger;
  access: BrokerAccess | null;
}): KernelSecurityOptions {
  const agentEnv = agentEnvFor(ctx.access);
  if (!ctx.config.security.sandboxAgents) return { agentEnv };
  const readPaths = [...installReadPaths(), ...ctx.config.security.sandboxReadPaths];
  const warned = new Set<string>();
  return {
    agentEnv,
    sandboxArgs: (manifest, target) => {
      if (/\.(m|c)?ts$/.test(target.entryPath)) {
        // TypeScript runs through tsx, which needs worker threads the permission model forbids: run it unconfined,
        // and say so every time it starts the first time (docs/SECURITY.md, "gaps")
        if (!warned.has(manifest.name)) {
          warned.add(manifest.name);
          ctx.logger.warn(
            { agent: manifest.name, entry: target.entryPath },
            'security: TypeScript agent runs WITHOUT the sandbox; build it to JavaScript to confine it',
          );
        }
        return [];
      }
      return sandboxNodeArgs(target, { readPaths });
    },
  };
}
