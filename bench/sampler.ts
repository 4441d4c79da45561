/**
 * CPU and memory of a process from /proc (Linux): utime+stime of /proc/<pid>/stat, VmRSS of /proc/<pid>/status.
 * Optionally the CPU of the PostgreSQL backends serving the bench database, which is where the postgres engine
 * spends its database time (only those: other databases on the same server are other people's load).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** [comm, utime+stime in ticks], or undefined when the process is gone. */
function stat(pid: number): [string, number] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' '); // f[0] is field 3 (state); utime and stime are fields 14 and 15
    return [comm, Number(f[11]) + Number(f[12])];
  } catch {
    return undefined;
  }
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Ticks of every process named `postgres`, by pid. */
function postgresTicks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s && s[0] === 'postgres') out.set(Number(name), s[1]);
  }
  return out;
}

export interface Usage {
  /** Mean CPU of the process over the interval; 100 = one core busy. */
  cpuPct: number;
  peakRssMb: number;
  /** Mean CPU of the bench database's backends (postgres engine). */
  dbCpuPct?: number;
}

/** Pids of the backends serving the bench database, asked of the server at the end of an interval. */
export type Backends = () => Promise<number[]>;

/**
 * Starts sampling; the returned function stops and reports the interval's mean CPU and peak RSS. Every postgres
 * process's ticks are read at the start, so that a backend that appears during the interval is billed in full.
 */
export function sample(pid: number, backends?: Backends, everyMs = 250): () => Promise<Usage> {
  const t0 = performance.now();
  const ticks0 = stat(pid)?.[1] ?? 0;
  const db0 = backends ? postgresTicks() : undefined;
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), everyMs);
  return async () => {
    clearInterval(timer);
    const sec = (performance.now() - t0) / 1000;
    const pct = (ticks: number) => (sec > 0 ? (100 * ticks) / CLK_TCK / sec : 0);
    const usage: Usage = { cpuPct: pct((stat(pid)?.[1] ?? ticks0) - ticks0), peakRssMb: Math.max(peak, rssMb(pid)) };
    if (db0 && backends) {
      const now = postgresTicks();
      let d = 0;
      for (const p of await backends()) d += (now.get(p) ?? 0) - (db0.get(p) ?? 0);
      usage.dbCpuPct = pct(d);
    }
    return usage;
  };
}

/**
 * Waits until the process (and the database, when given) has been nearly idle for half a second, so that work
 * queued by one workload (requests still in flight when the load generator stopped) does not bill the next.
 */
export async function settle(pid: number, backends?: Backends, maxMs = 60_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const stop = sample(pid, backends, 1000);
    await sleep(500);
    const u = await stop();
    if (u.cpuPct < 10 && (u.dbCpuPct ?? 0) < 10) return;
  }
}
