// The `metrics` section: the Prometheus scrape endpoint (runtime/integrations/metrics). Off by default, and on loopback
// when on: the page names every agent and has no authentication, so exposing it is the operator's explicit choice.
import { defineSection, intSetting } from '../section.js';

export interface MetricsConfig {
  /** serve the Prometheus text format over HTTP */
  enabled: boolean;
  /** listen address */
  host: string;
  /** 0 picks a free port (the bound one is in the `health` report and the log) */
  port: number;
  /** the one path that answers; others get 404 */
  path: string;
  /** agents with per-agent series (lowest ids first); the rest are counted in agentos_metrics_agents_omitted */
  agentsMax: number;
  /** responses being written at once; more requests get 503 */
  scrapesInFlightMax: number;
  /** a page larger than this is refused with 500 and a log line, bytes */
  responseBytesMax: number;
}

export const metricsSection = defineSection<MetricsConfig>(
  'metrics',
  'Prometheus metrics endpoint: agents, scheduler, broker, cluster and process (runtime/integrations/metrics)',
  {
    properties: {
      enabled: { type: 'boolean', default: false, description: 'serve /metrics for Prometheus (off: no port opened)' },
      host: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        default: '127.0.0.1',
        description: 'listen address (0.0.0.0 for a Prometheus on another machine; there is no authentication)',
      },
      port: intSetting(0, 65535, 9464, 'listen port (0 = any free port; the bound port is in the health report)'),
      path: {
        type: 'string',
        pattern: '^/[A-Za-z0-9._~/-]*$',
        maxLength: 256,
        default: '/metrics',
        description: 'the path that answers (others get 404)',
      },
      agentsMax: intSetting(
        0,
        10000,
        500,
        'agents with per-agent series, lowest ids first (0 = none); the rest are counted',
      ),
      scrapesInFlightMax: intSetting(1, 64, 4, 'responses being written at once; more requests get 503'),
      responseBytesMax: intSetting(65536, 67108864, 8388608, 'largest page served, bytes (larger: 500 and a log line)'),
    },
  },
);
