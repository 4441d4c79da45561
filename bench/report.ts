/** The results of one engine: a JSON document under bench/results/ and a table on stdout. */
import type { Measured, MqttMeasured, NotifyMeasured } from './drive.js';
import type { Engine } from './options.js';
import type { Ceiling } from './postgres.js';
import type { Usage } from './sampler.js';
import type { Latency } from './stats.js';

export interface WorkloadResult extends Measured {
  name: string;
  title: string;
  connections: number;
  /** Successful (2xx) requests per second; error answers are counted apart, never as throughput. */
  reqPerSec: number;
  /** Entities per second: reqPerSec × entities per request. */
  itemsPerSec: number;
  /** reqPerSec / the HTTP ceiling's req/s (workloads of one entity per request). */
  vsHttp?: number;
  /** itemsPerSec / the database ceiling's rows/s (postgres engine, workloads that have one). */
  vsDb?: number;
}

/** A notification workload (bench/notify-driver.ts): latencies are from an update's send to its notification's receipt. */
export interface NotifyWorkloadResult extends NotifyMeasured {
  name: string;
  title: string;
}

export interface EngineResult {
  date: string;
  engine: Engine;
  quick: boolean;
  entities: number;
  seed: number;
  connections: number;
  durationSec: number;
  /** 1-minute load average before and after: well above `cpus` means others shared the machine during the run. */
  machine: { cpus: number; node: string; loadAvg: [number, number] };
  commit: string;
  load: { entities: number; seconds: number; perSec: number };
  ceilings: { http: Measured & { reqPerSec: number }; dbInsert?: Ceiling; dbSelect?: Ceiling };
  workloads: WorkloadResult[];
  /** Notification workloads, when run. */
  notify?: NotifyWorkloadResult[];
  /** MQTT ingestion, when run. */
  mqtt?: MqttMeasured & { name: string; title: string };
}

/** What a row shows of a workload or a ceiling. */
type Figures = Usage & { latencyMs: Latency; errors: number; non2xx?: number };

const num = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(x >= 10 ? 1 : 2));
const pct = (x: number | undefined) => (x === undefined ? '' : `${(100 * x).toFixed(1)}%`);

function row(cells: string[], widths: number[]): string {
  return `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
}

/** A Markdown table (readable as is in a terminal, pasteable into an issue). */
export function table(r: EngineResult): string {
  const withDb = r.engine === 'postgres';
  const head = ['workload', 'req/s', 'items/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors', 'CPU%', 'RSS MB'];
  if (withDb) head.push('db CPU%');
  head.push('vs HTTP', ...(withDb ? ['vs DB'] : []));
  const rows: string[][] = [];
  const add = (name: string, reqs: number, items: number, m: Figures, vsHttp?: number, vsDb?: number) => {
    const cells = [name, num(reqs), num(items), num(m.latencyMs.p50), num(m.latencyMs.p95), num(m.latencyMs.p99), String(m.non2xx ?? ''), String(m.errors), m.cpuPct.toFixed(0), m.peakRssMb.toFixed(0)];
    if (withDb) cells.push(m.dbCpuPct === undefined ? '' : m.dbCpuPct.toFixed(0));
    cells.push(pct(vsHttp), ...(withDb ? [pct(vsDb)] : []));
    rows.push(cells);
  };
  const http = r.ceilings.http;
  add('ceiling: node:http', http.reqPerSec, http.reqPerSec, http);
  if (r.ceilings.dbInsert) add('ceiling: pg INSERT ×1000', r.ceilings.dbInsert.opsPerSec, r.ceilings.dbInsert.itemsPerSec, r.ceilings.dbInsert);
  if (r.ceilings.dbSelect) add('ceiling: pg SELECT by id', r.ceilings.dbSelect.opsPerSec, r.ceilings.dbSelect.itemsPerSec, r.ceilings.dbSelect);
  for (const w of r.workloads) add(w.connections === r.connections ? w.name : `${w.name} (${w.connections} conn.)`, w.reqPerSec, w.itemsPerSec, w, w.vsHttp, w.vsDb);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((c) => c[i].length)));
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const title =
    `${r.engine}: ${r.entities.toLocaleString('en-US')} entities loaded in ${r.load.seconds.toFixed(1)} s ` +
    `(${num(r.load.perSec)}/s), ${r.connections} connections, ${r.durationSec} s per workload, commit ${r.commit}; ` +
    `load average ${r.machine.loadAvg.map((x) => x.toFixed(1)).join(' → ')} on ${r.machine.cpus} cores`;
  const out = [title, '', row(head, widths), rule, ...rows.map((c) => row(c, widths))];
  if (r.notify?.length) out.push('', notifyTable(r, r.notify));
  if (r.mqtt) out.push('', mqttTable(r, r.mqtt));
  return out.join('\n');
}

/** Notification latency per entity, from the update's send to the receipt of the notification carrying it. */
function notifyTable(r: EngineResult, results: NotifyWorkloadResult[]): string {
  const withDb = r.engine === 'postgres';
  const head = ['notification workload', 'subs', 'target/s', 'updates/s', 'delivered/s', 'received', 'lost', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'update p99 ms', 'late', 'CPU%', 'RSS MB'];
  if (withDb) head.push('db CPU%');
  const rows = results.map((n) => {
    const cells = [
      n.name,
      String(n.subscriptions),
      num(n.targetRate),
      num(n.updatesPerSec),
      num(n.notifications / (n.seconds + n.drainSec)),
      `${n.received.toLocaleString('en-US')}/${n.expected.toLocaleString('en-US')}`,
      String(n.lost),
      num(n.latencyMs.p50),
      num(n.latencyMs.p95),
      num(n.latencyMs.p99),
      num(n.latencyMs.max),
      num(n.requests.latencyMs.p99),
      String(n.requests.late),
      n.cpuPct.toFixed(0),
      n.peakRssMb.toFixed(0),
    ];
    if (withDb) cells.push(n.dbCpuPct === undefined ? '' : n.dbCpuPct.toFixed(0));
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((c) => c[i].length)));
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const notes = results.map(
    (n) =>
      `- ${n.name}: ${n.title}. Each update matches exactly one subscription; ${n.entitiesPerNotification.toFixed(1)} entities per notification, ` +
      `last one ${n.drainSec.toFixed(1)} s after the last update sent; ${n.duplicates} duplicates, ${n.unexpected} unexpected.`,
  );
  return [row(head, widths), rule, ...rows.map((c) => row(c, widths)), '', ...notes].join('\n');
}

/** Measures written per second from MQTT, with the temporal evolution on. */
function mqttTable(r: EngineResult, m: NonNullable<EngineResult['mqtt']>): string {
  const withDb = r.engine === 'postgres';
  const head = ['MQTT workload', 'devices', 'measures/s', 'published', 'rejected', 'lost', 'drain s', 'CPU%', 'RSS MB', ...(withDb ? ['db CPU%'] : [])];
  const cells = [m.name, String(m.devices), num(m.measuresPerSec), m.published.toLocaleString('en-US'), String(m.rejected), String(m.lost), m.drainSec.toFixed(1), m.cpuPct.toFixed(0), m.peakRssMb.toFixed(0)];
  if (withDb) cells.push(m.dbCpuPct === undefined ? '' : m.dbCpuPct.toFixed(0));
  const widths = head.map((h, i) => Math.max(h.length, cells[i].length));
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [row(head, widths), rule, row(cells, widths), '', `- ${m.name}: ${m.title}; measured over ${m.seconds.toFixed(1)} s from a separate publisher process, ${m.batch.toFixed(0)} measures per transaction.`].join('\n');
}

/** Each failing workload's status counts and first error bodies, verbatim. */
export function failures(r: EngineResult): string {
  const out: string[] = [];
  for (const w of [{ ...r.ceilings.http, name: 'ceiling: node:http' }, ...r.workloads]) {
    if (w.non2xx === 0 && w.errors === 0) continue;
    out.push(`${r.engine} ${w.name}: statuses ${JSON.stringify(w.statuses)}, ${w.errors} errors (${w.timeouts} timeouts)`);
    for (const f of w.failures) out.push(`  ${f.status} for ${f.request}\n    ${f.body}`);
  }
  for (const n of r.notify ?? []) {
    const q = n.requests;
    if (q.non2xx === 0 && q.errors === 0 && n.lost === 0) continue;
    out.push(`${r.engine} ${n.name}: ${n.lost} of ${n.expected} notified entities lost; updates: statuses ${JSON.stringify(q.statuses)}, ${q.errors} errors`);
    for (const f of q.failures) out.push(`  ${f.status} for ${f.request}\n    ${f.body}`);
  }
  if (r.mqtt && (r.mqtt.lost > 0 || r.mqtt.rejected > 0)) out.push(`${r.engine} mqtt: ${r.mqtt.lost} measures lost, ${r.mqtt.rejected} rejected`);
  for (const [name, c] of Object.entries({ 'pg INSERT': r.ceilings.dbInsert, 'pg SELECT': r.ceilings.dbSelect })) {
    if (c?.errors) out.push(`${r.engine} ceiling ${name}: ${c.errors} errors, first: ${c.firstError}`);
  }
  return out.join('\n');
}
