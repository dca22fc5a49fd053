// Process-wide settings for a gateway process, applied by `agentos start` before the gateway starts. They are the
// process owner's choice, not the Gateway class's: a program embedding a Gateway keeps its own V8 and library settings.
// Measured with `npm run bench -- ingest --only rss` (idle, 1000 agents over 20 connections); see docs/OPERATIONS.md.
import { createRequire } from 'node:module';
import v8 from 'node:v8';

/**
 * V8 flags for a gateway on a small device. `--optimize-for-size` keeps the young generation at 1 MB instead of
 * growing it to 32 MB after a registration burst and compacts the old generation sooner; `--max-semi-space-size=1`
 * caps the young generation from the first allocation. package.json's `start` script and the bin's shebang pass both.
 */
export const GATEWAY_V8_FLAGS: readonly string[] = ['--optimize-for-size', '--max-semi-space-size=1'];

/** the one flag of GATEWAY_V8_FLAGS that V8 still reads after the heap is set up (measured: the young generation shrinks) */
const LATE_FLAG = '--optimize-for-size';

export interface ProcessTuning {
  /** where the gateway's V8 flags came from: the command line, or set at start because the command line lacked them */
  v8Flags: 'command line' | 'set at start';
  /** mqtt-packet's 65536 pre-built number buffers (6 MB of heap) are off */
  mqttNumberCacheOff: boolean;
}

/**
 * Applies the gateway's process settings; idempotent. `execArgv` is the process's node options (process.execArgv).
 * A gateway started without the flags (`node dist/runtime/cli/agentos.js start`, a unit file, a test) gets LATE_FLAG
 * through v8.setFlagsFromString; the semi-space cap only works on the command line.
 */
export function tuneGatewayProcess(execArgv: readonly string[] = process.execArgv): ProcessTuning {
  const onCommandLine = execArgv.includes(LATE_FLAG);
  if (!onCommandLine) v8.setFlagsFromString(LATE_FLAG);
  return { v8Flags: onCommandLine ? 'command line' : 'set at start', mqttNumberCacheOff: disableMqttNumberCache() };
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
