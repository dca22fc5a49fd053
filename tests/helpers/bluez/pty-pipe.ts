// The peripheral's UART as the BlueZ fixture sees it: the host end of a socat PTY pair, opened with serialport the
// way drivers/serial/link.ts does (raw; the baud rate means nothing to a PTY but serialport requires one). Opened
// only while a central is connected, so firmware output sent while nobody was connected has no BLE link to travel:
// the input queued meanwhile is flushed on open, as a real NUS peripheral drops what it cannot notify.
import { SerialPort } from 'serialport';

export interface PtyPipe {
  /** resolves when the bytes were handed to the PTY */
  write(data: Buffer): Promise<void>;
  /** idempotent; no onLost after it */
  close(): Promise<void>;
}

export interface PtyPipeHandlers {
  onData(data: Buffer): void;
  /** the PTY went away (socat killed: the peripheral lost power); called at most once, never after close() */
  onLost(reason: string): void;
}

export async function openPtyPipe(path: string, handlers: PtyPipeHandlers): Promise<PtyPipe> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve) => port.flush(() => resolve()));
  let closing = false;
  let lost = false;
  const lose = (reason: string) => {
    if (closing || lost) return;
    lost = true;
    handlers.onLost(reason);
  };
  port.on('data', (d: Buffer) => {
    if (!closing) handlers.onData(d);
  });
  port.on('error', (e: Error) => lose(e.message));
  port.on('close', (e?: Error) => lose(e?.message ?? 'pty closed'));
  return {
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        if (closing || lost) {
          reject(new Error('pty closed'));
          return;
        }
        port.write(data, (err) => (err ? reject(err) : resolve()));
      }),
    close: async () => {
      if (closing) return;
      closing = true;
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
      port.removeAllListeners();
    },
  };
}
