// The frame decoder as a Transform (bytes in, Frame objects out), in the shape of @serialport/parser-* streams.
import { Transform, type TransformCallback } from 'node:stream';
import { FrameDecoder, type FrameDecoderOptions } from './frame-decoder.js';

export class FrameDecoderStream extends Transform {
  readonly decoder: FrameDecoder;

  constructor(opts: FrameDecoderOptions = {}) {
    super({ readableObjectMode: true });
    this.decoder = new FrameDecoder(opts);
  }

  get stats() {
    return this.decoder.stats;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data: unknown = chunk;
    if (!(data instanceof Uint8Array)) {
      done();
      return;
    }
    for (const f of this.decoder.push(data)) this.push(f);
    done();
  }
}
