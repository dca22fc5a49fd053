// What the security layer gives the agent kernel (runtime/kernel/kernel-component.ts): the sandbox arguments for each
// supervised agent and the credentials it connects with. components.ts passes the result to KernelComponent.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrokerAccess } from '../bus/access.js';
import { unixSocketPathOf, unixSocketUrl } from '../bus/unix-listener.js';
import type { Config } from '../config/schema.js';
import type { SandboxPlan } from '../kernel/supervisor/sandbox.js';
import type { SecurityLogger } from './denials.js';
import { probeNetworkIsolationSync, sandboxNodeArgs } from './sandbox.js';
import { agentEnvFor } from './secure-access.js';

export interface KernelSecurityOptions {
  sandboxArgs?:
    | ((
        manifest: { name: string; network?: 'gateway-only' | 'host' | undefined },
        ctx: { agentDir: string; entryPath: string; storageDir: string },
      ) => string[] | SandboxPlan)
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
      const nodeArgs = sandboxNodeArgs(target, { readPaths });
      if (manifest.network === 'host') return nodeArgs;
      return gatewayOnlyPlan(manifest.name, nodeArgs, ctx.config, ctx.logger);
    },
  };
}

/**
 * A gateway-only agent: its own empty network namespace (no TCP/UDP anywhere, not even the host's loopback), the
 * broker through its Unix socket. Without a namespace or a socket the start is refused, unless
 * security.sandboxNetworkFallback says to run it on the host network.
 */
function gatewayOnlyPlan(name: string, nodeArgs: string[], config: Config, logger: SecurityLogger): SandboxPlan {
  const socket = unixSocketPathOf(config);
  const iso = probeNetworkIsolationSync();
  const problem = !socket
    ? 'network "gateway-only" needs the embedded broker\'s Unix socket (broker.unixSocket is null or an external broker is used)'
    : iso.available
      ? null
      : `network "gateway-only" needs its own network namespace: ${iso.reason}`;
  if (problem === null && socket) {
    return { nodeArgs, prefix: iso.prefix, env: { AGENTOS_URL: unixSocketUrl(socket) } };
  }
  const hint = 'declare "network": "host" in agent.json, or set security.sandboxNetworkFallback: true';
  if (!config.security.sandboxNetworkFallback) throw new Error(`${problem}; ${hint}`);
  logger.warn({ agent: name, reason: problem }, 'security: agent runs with the HOST network (sandboxNetworkFallback)');
  return { nodeArgs };
}
