// The gateway process: CPU, memory, start time and event loop delay. The three that every Prometheus client library
// exports under fixed names (process_cpu_seconds_total, process_resident_memory_bytes, process_start_time_seconds)
// keep those names so stock dashboards and alerts work; the Node-specific ones carry the agentos_ prefix.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Exposition } from './exposition.js';

/** the histogram's sampling timer; 10 ms is Node's default and costs nothing measurable on a Pi */
const LOOP_RESOLUTION_MS = 10;
const NS_PER_S = 1e9;

export class ProcessMetrics {
  #loop: IntervalHistogram | undefined;

  /** starts sampling the event loop (a timer inside Node, hence not in the constructor) */
  start(): void {
    if (this.#loop) return;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
  }

  stop(): void {
    this.#loop?.disable();
    this.#loop = undefined;
  }

  write(out: Exposition): void {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    out.counter(
      'process_cpu_seconds_total',
      'user and system CPU time of the gateway process',
      (cpu.user + cpu.system) / 1e6,
    );
    out.gauge('process_resident_memory_bytes', 'resident set size of the gateway process', mem.rss);
    out.gauge(
      'process_start_time_seconds',
      'start of the gateway process, seconds since the Unix epoch',
      performance.timeOrigin / 1000,
    );
    out.gauge('agentos_process_heap_used_bytes', 'V8 heap in use', mem.heapUsed);
    out.gauge('agentos_process_heap_total_bytes', 'V8 heap reserved', mem.heapTotal);
    const loop = this.#loop;
    if (!loop) return;
    // since the previous scrape: a value since start would stop moving after a day. With no sample yet (two scrapes
    // within one resolution) the histogram's percentiles are not 0 but its lowest bucket, so 0 is written instead
    const sampled = loop.count > 0;
    const at = (v: number) => (sampled ? v / NS_PER_S : 0);
    const help = `event loop delay since the previous scrape (sampled every ${LOOP_RESOLUTION_MS} ms)`;
    out.gauge('agentos_event_loop_delay_p50_seconds', `median ${help}`, at(loop.percentile(50)));
    out.gauge('agentos_event_loop_delay_p99_seconds', `99th percentile ${help}`, at(loop.percentile(99)));
    out.gauge('agentos_event_loop_delay_max_seconds', `largest ${help}`, at(loop.max));
    loop.reset();
  }
}
