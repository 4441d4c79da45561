/**
 * The demo city's recent past: when the city is first provisioned, the history of every sensor's numeric measures
 * over the last hours is written through the temporal API (clause 5.6.11, Create or Update Temporal Evolution), from
 * the same reading functions the simulator publishes, so that the portal's charts are full on a first start instead
 * of empty for hours. Only numbers: they are what the portal charts and the aggregations (clause 4.5.19) sum.
 */
import { problem, type Result } from '../core/problem.js';
import type { Thing } from './catalogue.js';
import type { Call } from './client.js';
import { moment } from './readings.js';

type Json = Record<string, unknown>;

/** One instance per quarter of an hour: four per period of the portal's default chart (24 hours by PT1H). */
export const HISTORY_STEP_MS = 15 * 60_000;

/**
 * The instants of `hours` of history before `end`, oldest first: the quarter hours of UTC, the last strictly before
 * `end` (the instant the provisioned entities carry, recorded by their creation).
 */
export function historyInstants(end: Date, hours: number): Date[] {
  const n = Math.round((hours * 3_600_000) / HISTORY_STEP_MS);
  const last = (Math.ceil(end.getTime() / HISTORY_STEP_MS) - 1) * HISTORY_STEP_MS;
  return Array.from({ length: n }, (_, i) => new Date(last - (n - 1 - i) * HISTORY_STEP_MS));
}

/** The temporal evolution of a thing's numeric measures at `instants` (EntityTemporal, normalized), or undefined when it has none. */
function evolutionOf(t: Thing, instants: readonly Date[], seed: number): Json | undefined {
  const numeric = t.kind.measures.filter((x) => x.type === 'Number' || x.type === 'Integer');
  if (numeric.length === 0) return undefined;
  const attrs: Record<string, Json[]> = Object.fromEntries(numeric.map((x) => [x.name, []]));
  for (const at of instants) {
    const m = moment(at, seed);
    const reading = t.kind.read(t, m);
    for (const x of numeric) attrs[x.name].push({ type: 'Property', value: reading[x.name], observedAt: m.iso, ...(x.unit ? { unitCode: x.unit } : {}) });
  }
  return { id: t.entityId, type: t.kind.type, ...attrs };
}

/**
 * Writes the history of `things` over the `hours` before `end`: one request per sensor (one transaction, its
 * instances inserted in bulk), one after another (the embedded engine has one connection). Returns the number of
 * instances written. Not idempotent by itself: the caller writes it only for the entities it has just created.
 */
export async function writeHistory(call: Call, tenant: string | undefined, things: readonly Thing[], end: Date, hours: number, seed: number): Promise<Result<number>> {
  const instants = historyInstants(end, hours);
  if (instants.length === 0) return { ok: true, value: 0 };
  let written = 0;
  for (const t of things) {
    const evolution = evolutionOf(t, instants, seed);
    if (!evolution) continue;
    const r = await call('POST', '/ngsi-ld/v1/temporal/entities', evolution, tenant);
    if (r.status !== 201 && r.status !== 204) {
      return { ok: false, problem: problem('InternalError', `The demo city's history cannot be written: ${t.entityId} answered ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`) };
    }
    written += (Object.keys(evolution).length - 2) * instants.length;
  }
  return { ok: true, value: written };
}
