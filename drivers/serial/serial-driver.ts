// The serial Driver: the firmware bridge protocol (bridge-driver.ts) over serial ports, with the serialport package
// unless an opener is given. A lost port is opened again once its path exists again.
import { BridgeDriver } from './bridge-driver.js';
import { serialPortOpener } from './link.js';
import { resolveOptions, type SerialDriverOptions } from './options.js';
import { defaultPortPresent } from './port-session.js';

export class SerialDriver extends BridgeDriver {
  /** Validates options (TypeError naming the field); does no I/O. */
  constructor(options: SerialDriverOptions, portPresent = defaultPortPresent) {
    super('serial', resolveOptions(options), {
      opener: () => options.opener ?? serialPortOpener(),
      portPresent,
    });
  }
}
