export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of latencies in milliseconds (sorts its argument in place). */
export function latencyOf(ms: Float64Array): Latency {
  const s = ms.sort();
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : 0);
  return { p50: at(50), p95: at(95), p99: at(99), max: s.length ? s[s.length - 1] : 0 };
}

/** A growable list of latencies without boxing every number. */
export class Latencies {
  private buf = new Float64Array(1 << 16);
  private n = 0;

  push(ms: number): void {
    if (this.n === this.buf.length) {
      const bigger = new Float64Array(this.n * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  summary(): Latency {
    return latencyOf(this.buf.slice(0, this.n));
  }
}
