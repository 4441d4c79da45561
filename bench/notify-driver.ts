/**
 * The notification load generator and receiver, one process (forked by drive.ts), so that send and receipt times
 * come from one clock (performance.now()). It creates the workload's entities and subscriptions on the broker,
 * updates the entities at a fixed rate (open loop: a request is sent on schedule whatever the answers so far, unless
 * MAX_IN_FLIGHT are pending, when it is skipped and counted as late), embeds the send time in each entity's `sentAt`,
 * and times every entity of every notification received. Over IPC: 'warmed', then (after 'go') a NotifyResult.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Failure } from './driver.js';
import { Latencies, type Latency } from './stats.js';
import { notifyWorkload } from './workloads/notify.js';

export interface NotifyInput {
  url: string;
  workload: string;
  durationSec: number;
  warmupSec: number;
}

export interface NotifyResult {
  subscriptions: number;
  batch: number;
  /** Updates per second asked for. */
  targetRate: number;
  /** Length of the measured sending phase. */
  seconds: number;
  /** Update requests sent, answered 204, answered otherwise, failed without answer; skipped as late (in-flight cap). */
  requests: { sent: number; ok: number; non2xx: number; errors: number; late: number; statuses: Record<string, number>; latencyMs: Latency; failures: Failure[] };
  /** Entity updates acknowledged per second. */
  updatesPerSec: number;
  /** Entities owed a notification (every entity of every acknowledged update) and received. */
  expected: number;
  received: number;
  /** Expected but never received, after waiting for stragglers. */
  lost: number;
  /** Received more than once (at-least-once delivery) or not sent in this phase. */
  duplicates: number;
  unexpected: number;
  /** Notification POSTs received for measured updates, and their mean entity count. */
  notifications: number;
  entitiesPerNotification: number;
  /** From the send of an update to the receipt of the notification carrying the entity, per entity, ms. */
  latencyMs: Latency;
  /** From the end of the sending phase to the last notification of it. */
  drainSec: number;
}

/** Requests waiting for an answer at most; beyond, the scheduled request is skipped. */
const MAX_IN_FLIGHT = 16;
/** Stragglers: give up after this long without any notification arriving. */
const QUIET_MS = 15_000;

const input = JSON.parse(process.argv[2] ?? '{}') as NotifyInput;
const w = notifyWorkload(input.workload);
const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
const base = new URL(input.url);

function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: base.hostname, port: base.port, method, path, agent, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function must(method: string, path: string, body: unknown, ...statuses: number[]): Promise<void> {
  const r = await call(method, path, body);
  if (!statuses.includes(r.status)) throw new Error(`${method} ${path} answered ${r.status}: ${r.text.slice(0, 2000)}`);
}

/** `${entity id}|${sentAt}` of each entity owed a notification → whether it was sent in the measured phase. */
const pending = new Map<string, boolean>();
const seen = new Set<string>();
const latencies = new Latencies();
let measuring = false;
let received = 0;
let duplicates = 0;
let unexpected = 0;
let notifications = 0;
let lastReceipt = 0;

interface Notified {
  data?: Array<{ id?: string; sentAt?: { value?: unknown } }>;
}

function onNotification(body: string, at: number): void {
  let n: Notified;
  try {
    n = JSON.parse(body) as Notified;
  } catch {
    unexpected++;
    return;
  }
  let mine = false;
  for (const e of n.data ?? []) {
    const sentAt = Number(e.sentAt?.value);
    const key = `${e.id}|${sentAt}`;
    const measured = pending.get(key);
    if (measured === undefined) {
      if (seen.has(key)) duplicates++;
      else if (measuring) unexpected++;
      continue;
    }
    pending.delete(key);
    seen.add(key);
    if (!measured) continue;
    mine = true;
    received++;
    latencies.push(at - sentAt);
    lastReceipt = at;
  }
  if (mine) notifications++;
}

const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    res.writeHead(204).end();
    onNotification(Buffer.concat(chunks).toString(), at);
  });
});

/** Sends the update requests of one phase at the workload's rate; resolves once every one is answered. */
async function pace(seconds: number, measured: boolean) {
  const stats = { sent: 0, ok: 0, non2xx: 0, errors: 0, late: 0, statuses: {} as Record<string, number>, failures: [] as Failure[], latencies: new Latencies() };
  const inFlight = new Set<Promise<void>>();
  const interval = (1000 * w.batch) / w.rate;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let next = 0;
  for (let j = 0; ; j++) {
    const at = t0 + j * interval;
    if (at >= end) break;
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= MAX_IN_FLIGHT) {
      stats.late++;
      continue;
    }
    const sentAt = Math.round(performance.now() * 1000) / 1000;
    const keys: string[] = [];
    const body = [];
    for (let k = 0; k < w.batch; k++) {
      const e = w.entity(next++ % w.pool, sentAt);
      body.push({ id: e.id, type: e.type, sentAt: e.sentAt });
      const key = `${e.id}|${sentAt}`;
      keys.push(key);
      pending.set(key, measured);
    }
    stats.sent++;
    const p = call('POST', '/ngsi-ld/v1/entityOperations/update', body).then(
      (r) => {
        stats.latencies.push(performance.now() - sentAt);
        stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
        if (r.status === 204) return void stats.ok++;
        stats.non2xx++;
        for (const key of keys) pending.delete(key);
        if (stats.failures.filter((f) => f.status === r.status).length < 2) stats.failures.push({ status: r.status, request: 'POST /ngsi-ld/v1/entityOperations/update', body: r.text.slice(0, 2000) });
      },
      () => {
        stats.errors++;
        for (const key of keys) pending.delete(key);
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  return { ...stats, seconds };
}

/** Waits until every notification owed by `measured` (or warm-up) updates is in, or none came for QUIET_MS. */
async function drain(measured: boolean): Promise<void> {
  const owed = () => [...pending.values()].filter((m) => m === measured).length;
  let count = owed();
  let since = performance.now();
  while (count > 0 && performance.now() - since < QUIET_MS) {
    await sleep(50);
    const now = owed();
    if (now < count) since = performance.now();
    count = now;
  }
}

async function main(): Promise<NotifyResult> {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  // Entities first, so that their creation notifies nobody; then the subscriptions.
  for (let from = 0; from < w.pool; from += 1000) {
    const batch = Array.from({ length: Math.min(1000, w.pool - from) }, (_, k) => w.entity(from + k, 0));
    await must('POST', '/ngsi-ld/v1/entityOperations/upsert', batch, 201, 204);
  }
  for (let k = 0; k < w.subscriptions; k++) await must('POST', '/ngsi-ld/v1/subscriptions', w.subscription(k, `http://127.0.0.1:${port}/notify/${k}`), 201);

  if (input.warmupSec > 0) {
    await pace(input.warmupSec, false);
    await drain(false);
  }
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send?.('warmed');
  await go;

  measuring = true;
  const s = await pace(input.durationSec, true);
  const sendEnd = performance.now();
  await drain(true);
  measuring = false;
  const lost = [...pending.values()].filter(Boolean).length;
  receiver.close();
  agent.destroy();
  const expected = s.ok * w.batch;
  return {
    subscriptions: w.subscriptions,
    batch: w.batch,
    targetRate: w.rate,
    seconds: s.seconds,
    requests: { sent: s.sent, ok: s.ok, non2xx: s.non2xx, errors: s.errors, late: s.late, statuses: s.statuses, latencyMs: s.latencies.summary(), failures: s.failures },
    updatesPerSec: expected / s.seconds,
    expected,
    received,
    lost,
    duplicates,
    unexpected,
    notifications,
    entitiesPerNotification: notifications ? received / notifications : 0,
    latencyMs: latencies.summary(),
    drainSec: Math.max(0, (lastReceipt - sendEnd) / 1000),
  };
}

process.on('disconnect', () => process.exit(1));
main().then(
  (result) => process.send?.(result, () => process.exit(0)),
  (e: unknown) => {
    process.stderr.write(`notification load generator failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
