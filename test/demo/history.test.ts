/**
 * The demo city's recent past (src/demo/history.ts), on the embedded engine: provisioning writes the history of
 * every sensor's numeric measures through the temporal API, one instance per quarter hour, equal to the reading
 * functions at those instants, and a second provisioning (a restart) writes none again.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { demoThings } from '../../src/demo/catalogue.js';
import { injectCall } from '../../src/demo/client.js';
import { HISTORY_STEP_MS, historyInstants } from '../../src/demo/history.js';
import { provisionCity } from '../../src/demo/provision.js';
import { moment, trafficFlow } from '../../src/demo/readings.js';
import { openTestStore } from '../support/engines.js';
import { buildTestApp, uniqueTenant } from '../support/http.js';

const SEED = 8;
const HOURS = 6;
const things = demoThings(SEED);
const traffic = things.find((t) => t.entityId === 'urn:ngsi-ld:TrafficFlowObserved:santander-001')!;
const spot = things.find((t) => t.kind.type === 'ParkingSpot')!;
/** Numeric measures of the whole city: each gets HOURS × 4 instances. */
const NUMERIC = things.reduce((n, t) => n + t.kind.measures.filter((x) => x.type === 'Number' || x.type === 'Integer').length, 0);

type Instance = { value: unknown; observedAt: string; unitCode?: string };

describe('demo city history', () => {
  it('historyInstants should give the quarter hours strictly before the end, oldest first', () => {
    const end = new Date('2026-03-10T12:07:30Z');
    const at = historyInstants(end, 48);
    assert.equal(at.length, 192);
    assert.equal(at.at(-1)!.toISOString(), '2026-03-10T12:00:00.000Z');
    assert.equal(at[0].toISOString(), '2026-03-08T12:15:00.000Z');
    assert.ok(at.every((d, i) => i === 0 || d.getTime() - at[i - 1].getTime() === HISTORY_STEP_MS));
    assert.equal(historyInstants(new Date('2026-03-10T12:00:00Z'), 1).at(-1)!.toISOString(), '2026-03-10T11:45:00.000Z', 'the end itself is the entity\'s own reading');
    assert.deepEqual(historyInstants(end, 0), []);
  });

  describe('provisioning [pglite]', () => {
    let app: FastifyInstance;
    let dispose: () => Promise<void>;
    const tenant = uniqueTenant('demohistory');
    const m = moment(new Date(), SEED);

    before(async () => {
      const opened = await openTestStore('pglite');
      dispose = opened.dispose;
      app = await buildTestApp(opened.store);
    });
    after(async () => {
      await app?.close();
      await dispose?.();
    });

    /** Every instance of `attr` of `id`, in time order (clause 5.7.3 without a temporal query). */
    async function evolution(id: string, attr: string): Promise<Instance[]> {
      const res = await app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=${attr}`, headers: { 'NGSILD-Tenant': tenant } });
      assert.equal(res.statusCode, 200, res.body);
      const a = (res.json() as Record<string, Instance | Instance[] | undefined>)[attr];
      return (a === undefined ? [] : Array.isArray(a) ? a : [a]).sort((x, y) => x.observedAt.localeCompare(y.observedAt));
    }

    it('provisioning should write the numeric measures\' history, equal to the readings, when it creates the city', async () => {
      const r = await provisionCity({ ngsi: injectCall(app) }, tenant, things, m, HOURS);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value.entities, 344);
      assert.equal(r.value.history, NUMERIC * HOURS * 4);
      const instances = await evolution(traffic.entityId, 'intensity');
      const instants = historyInstants(m.at, HOURS);
      assert.equal(instances.length, instants.length + 1, 'a quarter-hourly history, then the created entity\'s reading');
      assert.deepEqual(
        instances.slice(0, -1).map((i) => [i.observedAt, i.value]),
        instants.map((at) => [at.toISOString(), trafficFlow(traffic, moment(at, SEED)).intensity]),
      );
      assert.equal(instances.at(-1)!.observedAt, m.iso);
      const speed = await evolution(traffic.entityId, 'averageVehicleSpeed');
      assert.equal(speed[0].unitCode, 'KMH');
      assert.equal((await evolution(traffic.entityId, 'congested')).length, 1, 'booleans get no history');
      assert.equal((await evolution(spot.entityId, 'status')).length, 1, 'texts get no history');
    });

    it('provisioning again should write no history when the city exists', async () => {
      const r = await provisionCity({ ngsi: injectCall(app) }, tenant, things, moment(new Date(), SEED), HOURS);
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual([r.value.entities, r.value.history], [0, 0]);
      assert.equal((await evolution(traffic.entityId, 'intensity')).length, HOURS * 4 + 1);
    });
  });
});
