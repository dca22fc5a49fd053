// Arrival times for the three processes, at mean rate `ratePerMs`, from one PRNG stream.
import type { Rng } from '../../runtime/scheduler/prng.js';
import type { ArrivalProcess } from './workload.js';

export function arrivalTimes(process: ArrivalProcess, ratePerMs: number, count: number, rng: Rng): Float64Array {
  const out = new Float64Array(count);
  if (process.process === 'poisson') {
    let t = 0;
    for (let i = 0; i < count; i++) {
      t += rng.exponential(1 / ratePerMs);
      out[i] = t;
    }
    return out;
  }
  if (process.process === 'bursty') return bursty(process, ratePerMs, out, rng);
  return diurnal(process, ratePerMs, out, rng);
}

/** Two-state Markov-modulated Poisson process whose time-average rate is ratePerMs. */
function bursty(
  p: Extract<ArrivalProcess, { process: 'bursty' }>,
  ratePerMs: number,
  out: Float64Array,
  rng: Rng,
): Float64Array {
  const burstShare = p.meanBurstMs / (p.meanBurstMs + p.meanCalmMs);
  const calmRate = ratePerMs / (burstShare * p.burstRateFactor + 1 - burstShare);
  let t = 0;
  // start from the stationary state distribution, so short sequences are not biased towards calm
  let inBurst = rng.next() < burstShare;
  let stateEnd = rng.exponential(inBurst ? p.meanBurstMs : p.meanCalmMs);
  let i = 0;
  while (i < out.length) {
    const rate = inBurst ? calmRate * p.burstRateFactor : calmRate;
    const next = t + rng.exponential(1 / rate);
    if (next < stateEnd) {
      t = next;
      out[i++] = t;
    } else {
      // memoryless: restart the clock at the state change
      t = stateEnd;
      inBurst = !inBurst;
      stateEnd = t + rng.exponential(inBurst ? p.meanBurstMs : p.meanCalmMs);
    }
  }
  return out;
}

/** Sinusoidally modulated Poisson process by thinning (Lewis-Shedler). */
function diurnal(
  p: Extract<ArrivalProcess, { process: 'diurnal' }>,
  ratePerMs: number,
  out: Float64Array,
  rng: Rng,
): Float64Array {
  const maxRate = ratePerMs * (1 + p.amplitude);
  let t = 0;
  let i = 0;
  while (i < out.length) {
    t += rng.exponential(1 / maxRate);
    const rate = ratePerMs * (1 + p.amplitude * Math.sin((2 * Math.PI * t) / p.periodMs));
    if (rng.next() * maxRate <= rate) out[i++] = t;
  }
  return out;
}
