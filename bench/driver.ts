/**
 * The load generator, run in its own process (forked by drive.ts) so that it never shares an event loop with
 * the harness: autocannon's programmatic API with one workload's requests. Latency is recorded per response
 * here because autocannon's summary has no p95. Over IPC: 'warmed', then (after the parent's 'go') a DriveResult.
 */
import autocannon, { type Request } from 'autocannon';
import { Latencies, type Latency } from './stats.js';
import { workload as byName } from './workloads/index.js';
import type { Sent, WorkloadSetup } from './workloads/workload.js';

export interface DriveInput {
  url: string;
  /** A workload name, or undefined for a plain GET / (the HTTP ceiling). */
  workload?: string;
  setup: WorkloadSetup;
  durationSec: number;
  /** Unmeasured run before, so that the first workload does not pay for the JIT alone. */
  warmupSec: number;
  connections: number;
}

export interface Failure {
  status: number;
  request: string;
  body: string;
}

export interface DriveResult {
  seconds: number;
  responses: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  latencyMs: Latency;
  /** The first answers of each distinct non-2xx status, bodies verbatim (cut at 2,000 characters). */
  failures: Failure[];
}

/** One autocannon run; `onEach` sees every response (status, latency in ms). */
function cannon(input: DriveInput, requests: Request[], seconds: number, onEach?: (status: number, ms: number) => void) {
  const options = { url: input.url, connections: input.connections, duration: seconds, timeout: 30, requests };
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    if (onEach) instance.on('response', (_client, status, _bytes, ms) => onEach(status, ms));
  });
}

/** Warms the target up (JIT, caches, pool), waits for the parent's go (it lets the target drain first), then measures. */
async function drive(input: DriveInput): Promise<DriveResult> {
  const failures: Failure[] = [];
  const onResponse = (status: number, body: string, context: object) => {
    if ((status >= 200 && status < 300) || failures.filter((f) => f.status === status).length >= 2) return;
    const sent = context as Sent;
    failures.push({ status, request: `${sent.method ?? 'GET'} ${sent.path ?? '/'}`, body: body.slice(0, 2000) });
  };
  // One set of requests for both runs, so that counters of fresh ids carry on from the warm-up.
  const base: Request[] = input.workload ? byName(input.workload).requests(input.setup) : [{ method: 'GET', path: '/' }];
  const requests = base.map((r) => ({ ...r, onResponse }));
  if (input.warmupSec > 0) await cannon(input, requests, input.warmupSec);
  failures.length = 0;
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send?.('warmed');
  await go;

  const latencies = new Latencies();
  const perStatus = new Map<number, number>();
  const result = await cannon(input, requests, input.durationSec, (status, ms) => {
    latencies.push(ms);
    perStatus.set(status, (perStatus.get(status) ?? 0) + 1);
  });
  let ok = 0;
  const statuses: Record<string, number> = {};
  for (const [status, count] of [...perStatus].sort((a, b) => a[0] - b[0])) {
    statuses[status] = count;
    if (status >= 200 && status < 300) ok += count;
  }
  const n = latencies.count;
  return { seconds: result.duration, responses: n, ok, non2xx: n - ok, errors: result.errors, timeouts: result.timeouts, statuses, latencyMs: latencies.summary(), failures };
}

// The harness is gone (Ctrl-C, crash): stop loading the broker at once.
process.on('disconnect', () => process.exit(1));
const input = JSON.parse(process.argv[2] ?? '{}') as DriveInput;
drive(input).then(
  (result) => process.send?.(result, () => process.exit(0)),
  (e: unknown) => {
    process.stderr.write(`load generator failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
