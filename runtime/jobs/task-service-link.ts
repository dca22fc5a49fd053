// How the jobs component finds the scheduler's task service of the same gateway without a module-level singleton:
// components.ts hands the scheduler over keyed by the gateway's context object, which is one per gateway (tests run
// several gateways in one process). A WeakMap, so a stopped gateway's context and scheduler can be collected.
import type { GatewayContext } from '../component.js';
import type { TaskService } from '../scheduler/task-api.js';

const services = new WeakMap<GatewayContext, TaskService>();

/** records the gateway's task service and returns it (used inline in components.ts) */
export function provideTaskService<T extends TaskService>(ctx: GatewayContext, service: T): T {
  services.set(ctx, service);
  return service;
}

export function taskServiceOf(ctx: GatewayContext): TaskService | undefined {
  return services.get(ctx);
}
