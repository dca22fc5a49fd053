// The BLE component as the serial component's OTA queue sees it: OTA over BLE goes through the same `ota.*` API and
// bounded queue as serial (runtime/util/context-link.ts; BLE is listed after serial in components.ts, so the link is
// read when a job starts, not at construction).
import type { BridgeDriver } from '../../drivers/serial/bridge-driver.js';
import { contextLink } from '../util/context-link.js';

const link = contextLink<{ readonly driver: BridgeDriver | null }>();
export const provideBle = link.provide;
export const bleOf = link.of;
