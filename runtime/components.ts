// Components other than the core (scheduler, supervisor, cluster, drivers, integrations...). Add yours with one line:
//   (ctx) => new MyComponent(ctx),
// They start after the core (store, bus, registry, API) in this order and stop before it in reverse.
import { ClusterComponent } from './cluster/cluster-component.js';
import type { ComponentFactory } from './component.js';
import { BleComponent } from './drivers/ble-component.js';
import { provideBle } from './drivers/ble-link.js';
import { SerialComponent } from './drivers/serial-component.js';
import { DashboardComponent } from './integrations/dashboard/dashboard-component.js';
import { HomeAssistantComponent } from './integrations/home-assistant/ha-component.js';
import { MetricsComponent } from './integrations/metrics/metrics-component.js';
import { provideCluster } from './jobs/cluster-link.js';
import { JobsComponent } from './jobs/jobs-component.js';
import { provideTaskService } from './jobs/task-service-link.js';
import { KernelComponent } from './kernel/kernel-component.js';
import { SchedulerComponent } from './scheduler/scheduler-component.js';
import { kernelSecurityOptions } from './security/kernel-options.js';

export const extraComponents: ComponentFactory[] = [
  // sandbox flags and credentials for supervised agents come from runtime/security
  (ctx) => new KernelComponent(ctx, kernelSecurityOptions(ctx)),
  (ctx) => new SerialComponent(ctx),
  // its driver also takes OTA jobs through the serial component's ota.* API
  (ctx) => provideBle(ctx, new BleComponent(ctx)),
  // the live task scheduler; it owns the policy component (shipped rl model or its fallback heuristic)
  (ctx) => provideTaskService(ctx, new SchedulerComponent(ctx)),
  // jobs: DAGs of steps run as tasks of the scheduler above (in-process), results aggregated
  (ctx) => new JobsComponent(ctx),
  // this gateway as a Raft node of its site (cluster.enabled); replicates membership, agent placement, cluster tasks;
  // jobs submit their where: "cluster" steps through it, in-process
  (ctx) => provideCluster(ctx, new ClusterComponent(ctx)),
  // the Prometheus scrape endpoint (metrics.enabled); reads the table and the health sections at scrape time
  (ctx) => new MetricsComponent(ctx),
  // agents as Home Assistant devices through MQTT discovery (homeAssistant.enabled)
  (ctx) => new HomeAssistantComponent(ctx),
  // the live page on the MQTT WebSocket port (dashboard.enabled, on by default)
  (ctx) => new DashboardComponent(ctx),
];
