// Hand-encoded MQTT 3.1.1 packets for load generation: the generator must cost far less than the broker it loads, so
// it writes pre-built bytes instead of going through a client library.

function remainingLength(n: number): Buffer {
  // [MQTT-2.2.3] variable byte integer, 7 bits per byte, high bit = more
  const bytes: number[] = [];
  let x = n;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    bytes.push(b);
  } while (x > 0);
  return Buffer.from(bytes);
}

function utf8(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

/** CONNECT with a clean session [MQTT-3.1] */
export function connectPacket(clientId: string, keepaliveS = 60): Buffer {
  const variable = Buffer.concat([utf8('MQTT'), Buffer.from([4, 0x02, keepaliveS >> 8, keepaliveS & 0xff])]);
  const payload = utf8(clientId);
  const body = Buffer.concat([variable, payload]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** PUBLISH at QoS 0 [MQTT-3.3] */
export function publishPacket(topic: string, payload: string | Buffer): Buffer {
  const body = Buffer.concat([utf8(topic), typeof payload === 'string' ? Buffer.from(payload) : payload]);
  return Buffer.concat([Buffer.from([0x30]), remainingLength(body.length), body]);
}

export const DISCONNECT = Buffer.from([0xe0, 0x00]);
