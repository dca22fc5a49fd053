// Which configured peripherals BlueZ can see. A lost link is opened again only when its peripheral is in BlueZ's
// object tree (seen in a scan, or still connected), so the session does not hammer Connect at an absent device.
// Discovery runs only while some configured device is not online: scanning costs radio time (and, on a Pi, Wi-Fi
// throughput on the shared antenna).
import type { DriverLogger } from '../driver.js';
import { type BluezSession, within } from './bluez.js';

/** ms for one poll's D-Bus calls */
const POLL_TIMEOUT_MS = 5000;

export class BlePresence {
  private known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private scanning = false;
  private stopped = true;
  private lastError = '';

  constructor(
    private readonly session: BluezSession,
    private readonly pollMs: number,
    /** true while some configured device is not online */
    private readonly wanted: () => boolean,
    private readonly logger: DriverLogger,
  ) {}

  has(address: string): boolean {
    return this.known.has(address);
  }

  /** Polls once now, then every pollMs; resolves after the first poll. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.poll();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.scanning) await this.setScanning(false).catch(() => undefined);
  }

  private async poll(): Promise<void> {
    try {
      await within(this.refresh(), POLL_TIMEOUT_MS, 'BlueZ poll');
      this.lastError = '';
    } catch (err) {
      // BlueZ away (bluetoothd restarting, adapter unplugged): say it once, keep trying
      const msg = (err as Error).message;
      if (msg !== this.lastError) this.logger.warn({ err: msg }, 'ble: BlueZ not reachable');
      this.lastError = msg;
      this.known.clear();
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), this.pollMs);
  }

  private async refresh(): Promise<void> {
    const want = this.wanted();
    if (want !== this.scanning) await this.setScanning(want);
    const adapter = await this.session.adapter();
    this.known = new Set((await adapter.devices()).map((a) => a.toUpperCase()));
  }

  private async setScanning(on: boolean): Promise<void> {
    const adapter = await this.session.adapter();
    const now = await adapter.isDiscovering();
    // another client may be scanning already; then we only stop what we started
    if (on && !now) await adapter.startDiscovery();
    if (!on && now && this.scanning) await adapter.stopDiscovery();
    this.scanning = on;
    this.logger.debug({ scanning: on }, 'ble discovery');
  }
}
