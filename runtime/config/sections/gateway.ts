import { hostname } from 'node:os';
import { defineSection } from '../section.js';

export interface GatewayConfig {
  /** unique among gateways sharing a broker or a cluster; used in topics and client ids */
  id: string;
}

/** the host name, cut to the characters a topic level and an MQTT client id accept everywhere */
function defaultGatewayId(): string {
  const clean = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .slice(0, 48);
  return /^[a-z0-9]/.test(clean) ? `gw-${clean}` : 'gw-local';
}

export const gatewaySection = defineSection<GatewayConfig>('gateway', 'identity of this gateway', {
  properties: {
    id: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
      default: defaultGatewayId(),
      $comment: 'computed from the host name',
      description: 'gateway id (default: "gw-" + host name)',
    },
  },
});
