// Process-wide settings for a gateway process, applied by `agentos start` before the gateway starts. They are the
// process owner's choice, not the Gateway class's: a program embedding a Gateway keeps its own V8 and library settings.
// Measured with `npm run bench -- ingest --only rss` (idle, 1000 agents over 20 connections); numbers in
// runtime/cli/README.md.
import { createRequire } from 'node:module';
import v8 from 'node:v8';

/**
 * V8 flags for a gateway on a small device. `--max-semi-space-size=1` keeps the young generation at 2 x 1 MB instead of
 * letting it grow to 2 x 16 MB during a registration burst and stay there; `--heap-growing-percent=10` lets the old
 * generation grow by 10% between full collections (measured: 18.5 instead of 23.7 MB committed after the burst).
 * `--compact-on-every-full-gc` moves the survivors out of fragmented old-generation pages at every full collection, so
 * the pages a burst's garbage leaves half-empty are given back at once instead of when V8's memory reducer runs (8 s
 * or more after the burst, sometimes not within 20 s): old space 17 -> 13.2 MB committed for 12.8 MB used, RSS 96.3
 * -> 91.7 MB (bench ingest --only rss, medians of 5).
 * package.json's `start` script and the bin's shebang pass them. Cost: about 9% fewer messages per CPU-second under a
 * telemetry flood for the first two, 3-6% more for the third; `--optimize-for-size` saved the same memory as the first
 * two at 27-37% (numbers in runtime/cli/README.md).
 */
export const GATEWAY_V8_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--heap-growing-percent=10',
  '--compact-on-every-full-gc',
];

/**
 * Environment for the same places. One malloc arena instead of one per thread: V8's background threads (concurrent
 * marking, compilation) otherwise leave freed memory resident in arenas of their own (about 4 MB measured). glibc reads
 * it when the process starts, so it cannot be set from inside.
 */
export const GATEWAY_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

export interface ProcessTuning {
  /** GATEWAY_V8_FLAGS and GATEWAY_ENV entries this process was started without (empty: all in effect) */
  missing: string[];
  /** mqtt-packet's 65536 pre-built number buffers (6 MB of heap) are off */
  mqttNumberCacheOff: boolean;
}

/**
 * Applies what can be applied from inside (the mqtt-packet cache) and reports the flags and environment the process
 * was started without; idempotent. The flags cannot be set from here: v8.setFlagsFromString after start leaves the
 * semi-space size as it was (measured: the young generation still grew to 32 MB).
 */
export function tuneGatewayProcess(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): ProcessTuning {
  const missing = [
    ...GATEWAY_V8_FLAGS.filter((f) => !execArgv.includes(f)),
    ...Object.entries(GATEWAY_ENV)
      .filter(([k, v]) => env[k] !== v)
      .map(([k, v]) => `${k}=${v}`),
  ];
  return { missing, mqttNumberCacheOff: disableMqttNumberCache() };
}

/**
 * mqtt-packet builds a cache of 65536 two-byte Buffers (one per 16-bit number) the first time it writes a packet:
 * 6 MB of heap in a process whose budget is 100 MB. Without it, writing a topic length or packet id allocates 2 bytes
 * from Node's buffer pool. mqtt.js turns the cache off the same way (its `writeCache: false` option). Resolved from
 * aedes so it is the instance the broker writes with.
 */
function disableMqttNumberCache(): boolean {
  const fromAedes = createRequire(createRequire(import.meta.url).resolve('aedes'));
  const mqttPacket = fromAedes('mqtt-packet') as { writeToStream: { cacheNumbers: boolean } };
  mqttPacket.writeToStream.cacheNumbers = false;
  return !mqttPacket.writeToStream.cacheNumbers;
}

/** what the `process` health section reports: memory and the V8 heap's spaces, MiB */
export function processMemory(): Record<string, unknown> {
  const mb = (x: number) => Math.round((x / 2 ** 20) * 10) / 10;
  const m = process.memoryUsage();
  const spaces: Record<string, { sizeMb: number; usedMb: number }> = {};
  for (const s of v8.getHeapSpaceStatistics()) {
    spaces[s.space_name] = { sizeMb: mb(s.space_size), usedMb: mb(s.space_used_size) };
  }
  return {
    rssMb: mb(m.rss),
    heapTotalMb: mb(m.heapTotal),
    heapUsedMb: mb(m.heapUsed),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    heapSpaces: spaces,
    execArgv: process.execArgv,
  };
}
