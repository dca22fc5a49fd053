// Keeps aedes from dropping messages that reach its fan-out out of order.
// Why: aedes numbers every packet when it is published (brokerCounter) and, per client, drops a packet whose number
// is not above the highest it delivered to that client (client.js `dedupe`, meant to send one copy to a client whose
// subscriptions overlap). But packets do not reach the fan-out in number order: a QoS 1 or retained publish waits
// for the persistence (storeRetained, enqueueOffline) while a later QoS 0 one goes straight through. A client
// subscribed to both then silently loses the earlier one (measured: a burst of retained QoS 1 configs followed by a
// QoS 0 state was lost entirely for a client subscribed to both, with bare aedes 1.2.0 as well).
// The fix keeps dedupe's purpose: before the fan-out of a packet numbered c that is below the highest number already
// fanned out, every client whose last delivered number is >= c is set back to c - 1, so this packet is delivered
// once and a second copy for an overlapping subscription is still dropped. In order (the common case) it costs one
// comparison; the pass over clients runs only for a late packet.
import type mqemitter from 'mqemitter';

interface CountedPacket {
  brokerId?: string | null;
  brokerCounter?: number;
}

interface DedupeClient {
  duplicates?: Record<string, number>;
}

export interface DedupeOrderStats {
  /** packets that reached the fan-out after a later-numbered one */
  late: number;
}

/** Wraps mq's fan-out; `clients` lists the broker's connected clients (aedes.clients) when asked. */
export function guardDedupeOrder(
  mq: mqemitter.MQEmitter,
  clients: () => Iterable<DedupeClient>,
  stats: DedupeOrderStats,
): boolean {
  const holder = mq as unknown as { _do?: (message: CountedPacket, cb: unknown) => unknown };
  const fanOut = holder._do;
  if (typeof fanOut !== 'function') return false;
  const highest = new Map<string, number>();
  holder._do = function guardedDo(this: unknown, message: CountedPacket, cb: unknown) {
    const id = message.brokerId;
    const c = message.brokerCounter;
    if (id && typeof c === 'number') {
      const top = highest.get(id) ?? 0;
      if (c > top) highest.set(id, c);
      else {
        stats.late++;
        for (const client of clients()) {
          const d = client.duplicates;
          if (d && (d[id] ?? 0) >= c) d[id] = c - 1;
        }
      }
    }
    return fanOut.call(this, message, cb);
  };
  return true;
}
