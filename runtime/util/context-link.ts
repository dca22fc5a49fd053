// One component's service handed to another of the same gateway without a module-level singleton: components.ts
// records it keyed by the gateway's context object (one per gateway; tests run several in one process). A WeakMap, so
// a stopped gateway's context and its components can be collected.
import type { GatewayContext } from '../component.js';

export interface ContextLink<T> {
  /** records the gateway's service and returns it (used inline in components.ts) */
  provide<U extends T>(ctx: GatewayContext, service: U): U;
  of(ctx: GatewayContext): T | undefined;
}

export function contextLink<T>(): ContextLink<T> {
  const links = new WeakMap<GatewayContext, T>();
  return {
    provide(ctx, service) {
      links.set(ctx, service);
      return service;
    },
    of: (ctx) => links.get(ctx),
  };
}
