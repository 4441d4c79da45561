/**
 * The demo city's decisions, against a recording stand-in for Mimosa's APIs: what MIMOSA_DEMO does at start with
 * the store it finds, and where measures go when the IoT agent has no MQTT broker.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stopping, type Answer, type Call } from '../../src/demo/client.js';
import { demoThings } from '../../src/demo/catalogue.js';
import { DemoCity, type DemoSettings } from '../../src/demo/service.js';
import { Simulator, type Publisher } from '../../src/demo/simulator.js';
import { poll } from '../iot/support.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A stand-in API: answers by `method url` prefix, records every request. */
function fake(answers: Record<string, Answer>): { call: Call; seen: string[] } {
  const seen: string[] = [];
  const call: Call = async (method, url) => {
    seen.push(`${method} ${url}`);
    const key = Object.keys(answers).find((k) => `${method} ${url}`.startsWith(k));
    return key ? answers[key] : { status: 201, json: undefined };
  };
  return { call, seen };
}

const settings = (o: Partial<DemoSettings> = {}): DemoSettings => ({ mode: 'auto', rate: 10, tenant: undefined, embedded: true, historyHours: 0, ...o });
const writes = (seen: string[]) => seen.filter((s) => s.startsWith('POST'));

describe('demo city at start', () => {
  it('auto should leave a store holding other data alone', async () => {
    const api = fake({ 'GET /ngsi-ld/v1/entities/': { status: 404, json: {} }, 'GET /ngsi-ld/v1/types': { status: 200, json: { typeList: ['Building'] } } });
    const city = new DemoCity({ ngsi: api.call, iot: api.call }, settings(), silent);
    await city.atStart();
    assert.deepEqual(writes(api.seen), []);
    assert.equal(city.status().provisioned, false);
  });

  it('auto should do nothing on a PostgreSQL server, and off nothing at all', async () => {
    for (const s of [settings({ embedded: false }), settings({ mode: 'off' })]) {
      const api = fake({});
      await new DemoCity({ ngsi: api.call, iot: api.call }, s, silent).atStart();
      assert.deepEqual(api.seen, []);
    }
  });

  it('atStart should log an interruption, not an error, when Mimosa stops during provisioning', async () => {
    const lines: string[] = [];
    const log = { info: (_: object, m: string) => void lines.push(`info ${m}`), warn: (_: object, m: string) => void lines.push(`warn ${m}`), error: (_: object, m: string) => void lines.push(`error ${m}`) };
    const api = fake({});
    const stopping: Call = async (method, url, body, tenant) => {
      if (method === 'POST') throw new Stopping();
      return api.call(method, url, body, tenant);
    };
    await new DemoCity({ ngsi: stopping, iot: stopping }, settings({ mode: 'on' }), log).atStart();
    assert.deepEqual(lines, ['info demo city: provisioning interrupted by the stop; the next start completes it']);

    const failing: Call = async (method) => {
      if (method === 'POST') throw new Error('disk full');
      return { status: 200, json: { services: [], devices: [] } };
    };
    lines.length = 0;
    await new DemoCity({ ngsi: failing, iot: failing }, settings({ mode: 'on' }), log).atStart();
    assert.deepEqual(lines, ['error demo city: could not start'], 'any other failure stays an error');
  });

  it('start should refuse with OperationNotSupported when the IoT agent is off', async () => {
    const api = fake({});
    const r = await new DemoCity({ ngsi: api.call }, settings(), silent).start();
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.problem.kind, 'OperationNotSupported');
    assert.deepEqual(api.seen, []);
  });

  it('start should send measures through the HTTP southbound when the agent has no MQTT broker', async () => {
    const api = fake({
      'GET /iot/services': { status: 200, json: { services: [] } },
      'GET /iot/devices': { status: 200, json: { devices: [] } },
      'GET /iot/about': { status: 200, json: { mqtt: null } },
      'POST /iot/json': { status: 200, json: undefined },
    });
    const city = new DemoCity({ ngsi: api.call, iot: api.call }, settings({ mode: 'on' }), silent);
    await city.atStart();
    assert.equal(city.status().via, 'http');
    await poll('a measure over HTTP', async () => (api.seen.some((s) => s.startsWith('POST /iot/json?k=santander-')) ? true : undefined));
    await city.close();
    assert.equal(city.status().running, false);
    assert.equal(writes(api.seen).filter((s) => s.startsWith('POST /ngsi-ld/v1/entityOperations/create')).length, 4, '344 entities in batches of 100');
    const r = await city.start();
    assert.equal(r.ok, false, 'a closed city does not start again');
  });
});

describe('demo city simulator', () => {
  it('should publish round-robin, also below one message per second, and nothing once stopped', async () => {
    const sent: Array<{ device: string; payload: Record<string, unknown> }> = [];
    const publisher: Publisher = { via: 'test', publish: async (t, payload) => void sent.push({ device: t.deviceId, payload: JSON.parse(payload) }), close: async () => undefined };
    const things = demoThings(8).filter((t) => t.kind.type === 'Streetlight');
    const sim = new Simulator(things, 8);
    sim.start(publisher, 2.5);
    await poll('two messages at 2.5 a second', async () => (sent.length >= 2 ? true : undefined));
    await sim.stop();
    const n = sent.length;
    assert.deepEqual(sent.slice(0, 2).map((s) => s.device), [things[0].deviceId, things[1].deviceId]);
    assert.deepEqual(Object.keys(sent[0].payload).sort(), ['illuminanceLevel', 'powerConsumption', 'powerState']);
    assert.equal(sim.counters.published, n);
    assert.equal(sim.running, false);
    sim.start(publisher, 0.5);
    await poll('a message at 0.5 a second', async () => (sent.length > n ? true : undefined));
    await sim.stop();
    assert.equal(sent[n].device, things[n].deviceId, 'a restart resumes with the next sensor');
  });
});
