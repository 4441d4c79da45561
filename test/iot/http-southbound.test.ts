/**
 * The HTTP transport of the FIWARE IoT Agents (POST /iot/json, POST and GET /iot/d), on both engines: the answer
 * comes once the measures are written, or with the error that refused them.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { uniqueTenant } from '../support/http.js';
import { counters, describeIot, entity, entityWhen, provision } from './support.js';

const GROUP = (apikey: string, extra: Record<string, unknown> = {}) => ({
  apikey,
  resource: '/iot/d',
  entity_type: 'Meter',
  attributes: [{ object_id: 'v', name: 'volume', type: 'Integer' }],
  ...extra,
});

describeIot('IoT agent over HTTP', (h) => {
  const post = (url: string, payload: string, type = 'text/plain') => h().app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });

  it('POST /iot/json should answer 200 once the measure is written when a device sends JSON', async () => {
    const tenant = uniqueTenant('http');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, GROUP(key), [{ device_id: 'm1' }]);
    const res = await post(`/iot/json?k=${key}&i=m1`, '{"v": 12, "flow": 0.5}', 'application/json');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await entity(h().app, tenant, 'urn:ngsi-ld:Meter:m1'), { id: 'urn:ngsi-ld:Meter:m1', type: 'Meter', volume: 12, flow: 0.5 });
  });

  it('POST and GET /iot/d should write Ultralight measures with the t timestamp when a device sends them', async () => {
    const tenant = uniqueTenant('http');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, GROUP(key), [{ device_id: 'm2' }]);
    assert.equal((await post(`/iot/d?k=${key}&i=m2&t=2024-02-02T02:02:02Z`, 'v|7')).statusCode, 200);
    const full = await entity(h().app, tenant, 'urn:ngsi-ld:Meter:m2', true);
    assert.equal(full?.volume.value, 7);
    assert.equal(full?.volume.observedAt, '2024-02-02T02:02:02.000Z');
    const res = await h().app.inject({ method: 'GET', url: `/iot/d?k=${key}&i=m2&d=${encodeURIComponent('v|8')}` });
    assert.equal(res.statusCode, 200, res.body);
    await entityWhen(h().app, tenant, 'urn:ngsi-ld:Meter:m2', (e) => e.volume === 8, 'the GET measure');
  });

  it('HTTP measures should be answered with the FIWARE error and counted when they are refused', async () => {
    const tenant = uniqueTenant('http');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, GROUP(key), [{ device_id: 'm3' }]);
    const cases: Array<[string, string, number, string]> = [
      [`/iot/d?k=${key}&i=m3`, 'v|', 400, 'WRONG_TYPE'],
      [`/iot/d?k=${key}&i=m3`, 'v|1|x', 400, 'MALFORMED_PAYLOAD'],
      [`/iot/json?k=${key}&i=m3`, '{nope', 400, 'MALFORMED_PAYLOAD'],
      [`/iot/d?k=${key}&i=m3&t=noon`, 'v|1', 400, 'MALFORMED_PAYLOAD'],
      [`/iot/d?k=unknown-${key}&i=m3`, 'v|1', 404, 'DEVICE_GROUP_NOT_FOUND'],
      [`/iot/d?i=m3`, 'v|1', 400, 'MISSING_CONFIG_PARAMS'],
    ];
    for (const [url, payload, status, name] of cases) {
      const res = await post(url, payload);
      assert.equal(res.statusCode, status, `${url} ${payload}: ${res.body}`);
      assert.equal((res.json() as { name: string }).name, name, url);
    }
    const c = await counters(h().app, tenant, key, 'm3');
    assert.deepEqual(c?.rejected, { WRONG_TYPE: 1, MALFORMED_PAYLOAD: 3 });
  });

  it('HTTP measures should be answered 400 MALFORMED_PAYLOAD and write nothing when a measure is named __proto__', async () => {
    const tenant = uniqueTenant('http');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, GROUP(key), [{ device_id: 'm4' }]);
    for (const [url, payload] of [[`/iot/json?k=${key}&i=m4`, '{"__proto__": 5}'], [`/iot/d?k=${key}&i=m4`, '__proto__|5']]) {
      const res = await post(url, payload, url.startsWith('/iot/json') ? 'application/json' : 'text/plain');
      assert.equal(res.statusCode, 400, `${payload}: ${res.body}`);
      assert.equal((res.json() as { name: string }).name, 'MALFORMED_PAYLOAD', res.body);
    }
    assert.equal(await entity(h().app, tenant, 'urn:ngsi-ld:Meter:m4'), undefined);
  });
});

describeIot(
  'IoT agent with autoprovisioning off',
  (h) => {
    it('measures of an unprovisioned device should be answered 404 DEVICE_NOT_FOUND when MIMOSA_IOT_AUTOPROVISION is off', async () => {
      const tenant = uniqueTenant('http');
      const key = uniqueTenant('k');
      await provision(h().app, tenant, GROUP(key), [{ device_id: 'known' }]);
      const res = await h().app.inject({ method: 'POST', url: `/iot/d?k=${key}&i=unknown`, payload: 'v|1', headers: { 'content-type': 'text/plain' } });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal((res.json() as { name: string }).name, 'DEVICE_NOT_FOUND');
      const ok = await h().app.inject({ method: 'POST', url: `/iot/d?k=${key}&i=known`, payload: 'v|1', headers: { 'content-type': 'text/plain' } });
      assert.equal(ok.statusCode, 200, ok.body);
      // a group may still allow it
      const key2 = uniqueTenant('k');
      await provision(h().app, tenant, GROUP(key2, { resource: '/iot/json', autoprovision: true }));
      const allowed = await h().app.inject({ method: 'POST', url: `/iot/json?k=${key2}&i=new1`, payload: '{"v": 1}', headers: { 'content-type': 'application/json' } });
      assert.equal(allowed.statusCode, 200, allowed.body);
    });
  },
  { iotAutoprovision: false },
);
