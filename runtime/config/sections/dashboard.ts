import { defineSection } from '../section.js';

export interface DashboardConfig {
  /** the live dashboard on the MQTT-over-WebSocket port (broker.wsPort) */
  enabled: boolean;
}

export const dashboardSection = defineSection<DashboardConfig>(
  'dashboard',
  'live dashboard: a page on the MQTT WebSocket port that follows the gateway as an operator',
  {
    properties: {
      enabled: {
        type: 'boolean',
        default: true,
        description: 'serve the dashboard on broker.wsPort (embedded broker only); the browser logs in over MQTT',
      },
    },
  },
);
