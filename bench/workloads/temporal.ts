import { prng } from '../data.js';
import { varying, type Workload } from './workload.js';

/** Sensors with a temporal evolution of their own, and instances of each: every request aggregates one sensor's. */
const SENSORS = 2;
const INSTANCES = 100_000;
const DAYS = 30;
/** The 30 days end here: a fixed origin, so that every run aggregates the same instances. */
const END = Date.UTC(2026, 0, 1);
const START = END - DAYS * 86_400_000;
/** Instances per POST (about 1.3 MB of JSON). */
const CHUNK = 10_000;

const sensor = (k: number) => `urn:ngsi-ld:NoiseSensor:bench-temporal:${k}`;

/**
 * Creates the sensors' evolutions through the temporal API (5.6.11, 5.6.12): `INSTANCES` noise levels each, evenly
 * over the 30 days (one every 26 s), values from a seeded PRNG.
 */
async function prepare(url: string, setup: { seed: number }): Promise<void> {
  const r = prng(setup.seed + 7);
  const step = (END - START) / INSTANCES;
  for (let k = 0; k < SENSORS; k++) {
    for (let from = 0; from < INSTANCES; from += CHUNK) {
      const noise = Array.from({ length: Math.min(CHUNK, INSTANCES - from) }, (_, i) => ({
        type: 'Property',
        value: Math.round((40 + r() * 50) * 10) / 10,
        observedAt: new Date(START + (from + i) * step).toISOString(),
      }));
      const path = from === 0 ? '/ngsi-ld/v1/temporal/entities' : `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(sensor(k))}/attrs`;
      const body = from === 0 ? { id: sensor(k), type: 'NoiseSensor', noise } : { noise };
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status !== 201 && res.status !== 204) throw new Error(`loading temporal instances answered ${res.status}: ${text.slice(0, 2000)}`);
    }
  }
}

/** 5.7.3 Retrieve Temporal Evolution, aggregated (clause 4.5.19): the hourly average over 30 days of 100,000 instances. */
export const temporal: Workload = {
  name: 'temporal',
  title: `GET /temporal/entities/{id}?timerel=between (30 days)&aggrMethods=avg&aggrPeriodDuration=PT1H: ${INSTANCES.toLocaleString('en-US')} instances aggregated into 720 hours, ${SENSORS} sensors`,
  itemsPerRequest: 1,
  // one at a time: each request is tens of milliseconds of database work, and 32 in flight would time a queue
  connections: 1,
  prepare,
  requests: ({ seed }) => {
    const r = prng(seed + 8);
    const window = `timerel=between&timeAt=${new Date(START).toISOString()}&endTimeAt=${new Date(END).toISOString()}`;
    return [
      varying('GET', () => ({
        path: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(sensor(Math.floor(r() * SENSORS)))}?${window}&attrs=noise&format=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT1H`,
      })),
    ];
  },
};
