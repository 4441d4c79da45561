/**
 * The demo city end to end, on the embedded engine: the application with its IoT agent (embedded MQTT broker on a
 * free port), the city provisioned at start (MIMOSA_DEMO=auto on an empty store), the simulator publishing over MQTT
 * at a high rate so that entities change and history accumulates, stopped and restarted through /mimosa/demo, and a
 * second application on the same store (a restart) finding the city whole. Effects are awaited by polling. No
 * backfilled history here (test/demo/history.test.ts has it), so that what accumulates is the simulator's.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { demoThings } from '../../src/demo/catalogue.js';
import type { Store } from '../../src/store/port.js';
import { openTestStore } from '../support/engines.js';
import { assertProblem, ENTITIES, send } from '../support/http.js';
import { buildIotApp, poll } from '../iot/support.js';
import { Receiver } from '../support/receiver.js';

const TRAFFIC = 'urn:ngsi-ld:TrafficFlowObserved:santander-001';
/** The demo's entities by type (test/demo/city.test.ts pins the numbers), with one on-street parking zone per street with spots. */
const TYPES: Record<string, number> = { OnStreetParking: 7 };
for (const t of demoThings(8)) TYPES[t.kind.type] = (TYPES[t.kind.type] ?? 0) + 1;
const TOTAL = Object.values(TYPES).reduce((s, n) => s + n, 0);

type Status = { provisioned: boolean; running: boolean; rate: number; via: string | null; entities: number; published: number; failed: number };

async function status(app: FastifyInstance): Promise<Status> {
  const res = await app.inject({ method: 'GET', url: '/mimosa/demo' });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Status;
}

async function countOf(app: FastifyInstance, type: string): Promise<number> {
  const res = await app.inject({ method: 'GET', url: `${ENTITIES}?type=${type}&count=true&limit=1` });
  assert.equal(res.statusCode, 200, res.body);
  return Number(res.headers['ngsild-results-count']);
}

async function counts(app: FastifyInstance): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const type of Object.keys(TYPES)) out[type] = await countOf(app, type);
  return out;
}

/** Instances of the traffic sensor's `intensity` in its temporal evolution (clause 5.7.3). */
async function history(app: FastifyInstance): Promise<number> {
  const res = await app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(TRAFFIC)}?attrs=intensity` });
  assert.equal(res.statusCode, 200, res.body);
  const i = (res.json() as { intensity?: unknown }).intensity;
  return Array.isArray(i) ? i.length : i ? 1 : 0;
}

async function deviceCount(app: FastifyInstance): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/iot/devices?limit=1' });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { count: number }).count;
}

describe('demo city [pglite]', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let app: FastifyInstance;
  let receiver: Receiver;

  before(async () => {
    receiver = await Receiver.start();
    ({ store, dispose } = await openTestStore('pglite'));
    ({ app } = await buildIotApp(store, { demo: 'auto', demoRate: 400, demoHistoryHours: 0, notifier: true }));
  });
  after(async () => {
    await app?.close();
    await receiver?.close();
    await dispose?.();
  });

  it('start should provision the city on an empty embedded store and run the simulator over MQTT', async () => {
    const s = await poll('the demo city to start', async () => ((await status(app)).running ? status(app) : undefined));
    assert.equal(s.provisioned, true);
    assert.equal(s.rate, 400);
    assert.match(String(s.via), /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(s.entities, TOTAL);
    assert.deepEqual(await counts(app), TYPES);
    assert.equal(await deviceCount(app), TOTAL - TYPES.OnStreetParking);
  });

  it('the simulator should change the entities and accumulate their temporal evolution', async () => {
    const first = (await send(app, 'GET', `${ENTITIES}/${encodeURIComponent(TRAFFIC)}`)).json() as Record<string, any>;
    const changed = await poll('a measure of the traffic sensor', async () => {
      const e = (await send(app, 'GET', `${ENTITIES}/${encodeURIComponent(TRAFFIC)}`)).json() as Record<string, any>;
      return e.intensity.observedAt > first.intensity.observedAt ? e : undefined;
    });
    assert.equal(typeof changed.intensity.value, 'number');
    assert.equal(changed.averageVehicleSpeed.unitCode, 'KMH');
    assert.equal(changed.location.value.type, 'Point', 'the measures leave the location alone');
    await poll('three instances in the history', async () => ((await history(app)) >= 3 ? true : undefined));
    const s = await status(app);
    assert.ok(s.published > 0);
    assert.equal(s.failed, 0);
  });

  it('the simulator\'s measures should fire subscriptions (clause 5.8)', async () => {
    const sub = { type: 'Subscription', entities: [{ type: 'FloodMonitoring' }], watchedAttributes: ['currentLevel'], notification: { format: 'keyValues', endpoint: { uri: receiver.url('/flood') } } };
    const res = await send(app, 'POST', '/ngsi-ld/v1/subscriptions', sub);
    assert.equal(res.statusCode, 201, res.body);
    const [n] = await receiver.waitFor('/flood', 1, 20_000);
    const e = n.body.data[0];
    assert.match(e.id, /^urn:ngsi-ld:FloodMonitoring:santander-00\d$/);
    assert.equal(typeof e.currentLevel, 'number');
    assert.ok(['normal', 'alert', 'danger'].includes(e.floodLevelStatus));
  });

  it('stop should stop the simulator, and start should resume it', async () => {
    const stopped = await send(app, 'POST', '/mimosa/demo/stop');
    assert.equal(stopped.statusCode, 200, stopped.body);
    assert.equal((stopped.json() as Status).running, false);
    const published = (await status(app)).published;
    await sleep(500);
    assert.equal((await status(app)).published, published, 'nothing is published once stopped');
    const seen = await history(app);

    const started = await send(app, 'POST', '/mimosa/demo/start?rate=500');
    assert.equal(started.statusCode, 200, started.body);
    assert.deepEqual([(started.json() as Status).running, (started.json() as Status).rate], [true, 500]);
    await poll('more history after the restart', async () => ((await history(app)) > seen ? true : undefined));
    assert.ok((await status(app)).published > published);
  });

  it('start should answer a ProblemDetails for a bad rate or parameter', async () => {
    for (const q of ['rate=abc', 'rate=0', 'rate=1001', 'rate=-1', 'speed=2']) {
      const res = await send(app, 'POST', `/mimosa/demo/start?${q}`);
      assertProblem(res, 400, 'BadRequestData');
    }
    assertProblem(await send(app, 'POST', '/mimosa/demo/start', { rate: 5 }), 400, 'BadRequestData');
  });

  it('GET /mimosa/demo/basemap.geojson should give the streets as GeoJSON', async () => {
    const res = await app.inject({ method: 'GET', url: '/mimosa/demo/basemap.geojson' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/geo\+json/);
    const g = res.json() as { type: string; features: Array<{ geometry: { type: string } }> };
    assert.equal(g.type, 'FeatureCollection');
    assert.ok(g.features.some((f) => f.geometry.type === 'LineString'));
  });

  it('a restart on the same store should find the city whole and resume the simulator', async () => {
    await app.close();
    ({ app } = await buildIotApp(store, { demo: 'auto', demoRate: 300, demoHistoryHours: 0 }));
    const s = await poll('the demo city to resume', async () => ((await status(app)).running ? status(app) : undefined));
    assert.equal(s.rate, 300);
    assert.deepEqual(await counts(app), TYPES, 'nothing is created twice');
    assert.equal(await deviceCount(app), TOTAL - TYPES.OnStreetParking);
    const seen = await history(app);
    await poll('history after the restart', async () => ((await history(app)) > seen ? true : undefined));
  });
});
