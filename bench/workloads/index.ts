import { batchUpsert } from './batch-upsert.js';
import { create } from './create.js';
import { geoNear } from './geo-near.js';
import { query } from './query.js';
import { retrieve } from './retrieve.js';
import { temporal } from './temporal.js';
import type { Workload } from './workload.js';

/** Run order: the read-only workloads first, on the data set as loaded; then those that add entities. */
export const WORKLOADS: readonly Workload[] = [retrieve, query, geoNear, temporal, create, batchUpsert];

export function workload(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`unknown workload ${name}`);
  return w;
}
