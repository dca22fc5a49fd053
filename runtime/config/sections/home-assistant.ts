import { defineSection, intSetting } from '../section.js';

export interface HomeAssistantConfig {
  /** announce agents to Home Assistant by MQTT discovery and take its commands */
  enabled: boolean;
  /** Home Assistant's discovery prefix (its MQTT integration setting) */
  discoveryPrefix: string;
  /** an agent's state topic is published at most this often */
  stateIntervalMs: number;
  entitiesPerAgentMax: number;
  commandTimeoutMs: number;
  /** commands from Home Assistant waiting for one agent's reply; more are dropped with a warning */
  commandsInFlightMax: number;
}

export const homeAssistantSection = defineSection<HomeAssistantConfig>(
  'homeAssistant',
  'Home Assistant: MQTT discovery of agents, their values and controls',
  {
    properties: {
      enabled: { type: 'boolean', default: false, description: 'announce agents to Home Assistant' },
      discoveryPrefix: {
        type: 'string',
        default: 'homeassistant',
        pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$',
        maxLength: 128,
        description: "Home Assistant's MQTT discovery prefix",
      },
      stateIntervalMs: intSetting(100, 60000, 1000, "publish an agent's state at most this often, ms"),
      entitiesPerAgentMax: intSetting(1, 256, 64, 'entities announced per agent'),
      commandTimeoutMs: intSetting(100, 120000, 10000, 'wait this long for the agent to answer a control, ms'),
      commandsInFlightMax: intSetting(1, 64, 4, "controls waiting for one agent's answer; more are dropped"),
    },
  },
);
