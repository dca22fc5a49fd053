// Caps the size of MQTT packets on a connection before the packet parser buffers them. mqtt-packet accumulates a
// whole packet (up to 256 MiB by the protocol) before anyone sees it, so a client announcing a huge packet could
// exhaust memory. This scanner follows only the fixed headers ([MQTT-2.2]: one type byte, then the remaining length
// as 1..4 base-128 bytes) and skips bodies by counting, so it costs a few operations per chunk.
import type { Readable } from 'node:stream';

enum State {
  Type = 0,
  Length = 1,
  Body = 2,
}

export class FrameScanner {
  private state = State.Type;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly packetBytesMax: number) {}

  /** Returns null while the stream stays within limits, else why it does not. */
  feed(buf: Buffer): string | null {
    let i = 0;
    while (i < buf.length) {
      if (this.state === State.Body) {
        const n = Math.min(this.bodyLeft, buf.length - i);
        this.bodyLeft -= n;
        i += n;
        if (this.bodyLeft === 0) this.state = State.Type;
        continue;
      }
      const byte = buf[i++]!;
      if (this.state === State.Type) {
        this.state = State.Length;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (this.length > this.packetBytesMax) return `packet of ${this.length}+ bytes exceeds ${this.packetBytesMax}`;
      if (byte & 0x80) {
        if (this.lengthBytes >= 4) return 'malformed remaining length'; // [MQTT-2.2.3]
        continue;
      }
      this.bodyLeft = this.length;
      this.state = this.length === 0 ? State.Type : State.Body;
    }
    return null;
  }
}

/**
 * Wraps `stream.read` (aedes pulls every byte through it) so oversized packets destroy the connection before they
 * are buffered. Works for TCP, TLS and WebSocket streams alike.
 */
export function guardFrames(stream: Readable, packetBytesMax: number, onViolation: (reason: string) => void): void {
  const scanner = new FrameScanner(packetBytesMax);
  const read = stream.read.bind(stream);
  let violated = false;
  stream.read = (size?: number) => {
    if (violated) return null;
    const chunk = read(size) as Buffer | string | null;
    if (chunk !== null && typeof chunk !== 'string') {
      const problem = scanner.feed(chunk);
      if (problem) {
        violated = true;
        onViolation(problem);
        stream.destroy();
        return null;
      }
    }
    return chunk;
  };
}
