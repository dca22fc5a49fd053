// The byte link to one device, behind an injectable opener so tests and other transports (a mock binding, TCP
// serial servers) plug in. The default opener uses serialport with its native binding, loaded on the first open: a
// gateway with no serial port configured never maps the native module (about 16 MB of RSS).
import type { SerialPort } from 'serialport';

export interface SerialLink {
  write(data: Buffer): void;
  /** idempotent; resolves when the port is closed */
  close(): Promise<void>;
}

export interface SerialLinkHandlers {
  onData(data: Buffer): void;
  /** called once when the link closes or fails for any reason other than close() */
  onLost(reason: string): void;
}

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
}

export type SerialOpener = (opts: SerialOpenOptions, handlers: SerialLinkHandlers) => Promise<SerialLink>;

/** Opener over the `serialport` package; `create` replaces the port constructor (e.g. SerialPortMock). */
export function serialPortOpener(
  create?: ((o: { path: string; baudRate: number; autoOpen: false }) => SerialPort) | undefined,
): SerialOpener {
  return async (opts, handlers) => {
    const make = create ?? (await nativePort());
    const port = make({ path: opts.path, baudRate: opts.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    let closing = false;
    let lost = false;
    const lose = (reason: string) => {
      if (closing || lost) return;
      lost = true;
      handlers.onLost(reason);
    };
    port.on('data', (d: Buffer) => handlers.onData(d));
    port.on('error', (e: Error) => lose(e.message));
    port.on('close', (e?: Error & { disconnected?: boolean }) => lose(e?.message ?? 'port closed'));
    return {
      write: (data) => {
        if (!closing && !lost) port.write(data);
      },
      close: async () => {
        if (closing) return;
        closing = true;
        if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
        port.removeAllListeners();
      },
    };
  };
}

let loaded: Promise<(o: { path: string; baudRate: number; autoOpen: false }) => SerialPort> | undefined;

/** the real SerialPort constructor, imported once on first use */
function nativePort(): Promise<(o: { path: string; baudRate: number; autoOpen: false }) => SerialPort> {
  loaded ??= import('serialport').then(
    ({ SerialPort: Port }) =>
      (o) =>
        new Port(o),
  );
  return loaded;
}
