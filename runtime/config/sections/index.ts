// The list of config sections. A new section: one file next to this one and one line here.
import { bleSection } from './ble.js';
import { brokerSection } from './broker.js';
import { clusterSection } from './cluster.js';
import { dashboardSection } from './dashboard.js';
import { gatewaySection } from './gateway.js';
import { homeAssistantSection } from './home-assistant.js';
import { jobsSection } from './jobs.js';
import { kernelSection } from './kernel.js';
import { livenessSection } from './liveness.js';
import { logSection } from './log.js';
import { metricsSection } from './metrics.js';
import { protocolSection } from './protocol.js';
import { schedulerSection } from './scheduler.js';
import { securitySection } from './security.js';
import { serialSection } from './serial.js';
import { storeSection } from './store.js';

export const sections = {
  gateway: gatewaySection,
  broker: brokerSection,
  store: storeSection,
  liveness: livenessSection,
  log: logSection,
  protocol: protocolSection,
  kernel: kernelSection,
  security: securitySection,
  serial: serialSection,
  ble: bleSection,
  scheduler: schedulerSection,
  jobs: jobsSection,
  cluster: clusterSection,
  metrics: metricsSection,
  homeAssistant: homeAssistantSection,
  dashboard: dashboardSection,
} as const;
