/**
 * Measures over real MQTT into the embedded broker (aedes on a free port), on both engines: Ultralight and JSON
 * payloads become attribute updates with observedAt and unit codes, recorded in the temporal evolution; bad device
 * input is refused, counted per device and never holds other devices' measures.
 */
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { after, before, it } from 'node:test';
import { send, uniqueTenant } from '../support/http.js';
import { connect, counters, describeIot, entity, entityWhen, poll, provision, service } from './support.js';

const THERMO = (apikey: string, extra: Record<string, unknown> = {}) => ({
  apikey,
  resource: '',
  entity_type: 'Thermometer',
  attributes: [
    { object_id: 't', name: 'temperature', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'CEL' } } },
    { object_id: 'on', name: 'active', type: 'Boolean' },
  ],
  static_attributes: [{ name: 'category', type: 'Text', value: 'sensor' }],
  ...extra,
});

describeIot('IoT agent over MQTT (embedded broker)', (h) => {
  let mqtt: MqttClient;
  before(async () => {
    mqtt = await connect(h().mqttUrl);
  });
  after(async () => {
    await mqtt.endAsync();
  });

  it('an Ultralight measure should update the entity with typed values, unit code and observedAt when a provisioned device publishes it', async () => {
    const tenant = uniqueTenant('mq');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, THERMO(key), [{ device_id: 'th1' }]);
    const before = Date.now();
    await mqtt.publishAsync(`/${key}/th1/attrs`, 't|21.5|on|1|raw|x');
    const id = 'urn:ngsi-ld:Thermometer:th1';
    const kv = await entityWhen(h().app, tenant, id, (e) => e.temperature === 21.5, 'the measure');
    assert.deepEqual(kv, { id, type: 'Thermometer', temperature: 21.5, active: true, raw: 'x', category: 'sensor' });
    const full = await entity(h().app, tenant, id, true);
    assert.equal(full?.temperature.unitCode, 'CEL');
    const observed = Date.parse(full?.temperature.observedAt);
    assert.ok(observed >= before - 1000 && observed <= Date.now() + 1000, full?.temperature.observedAt);
  });

  it('the device timestamp should become observedAt and every measure should reach the temporal evolution when groups carry timestamps', async () => {
    const tenant = uniqueTenant('mq');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, THERMO(key), [{ device_id: 'th2' }]);
    await mqtt.publishAsync(`/${key}/th2/attrs`, '2024-03-01T10:00:00Z|t|10#2024-03-01T10:05:00Z|t|11');
    const id = 'urn:ngsi-ld:Thermometer:th2';
    const history = await poll('two temporal instances', async () => {
      const res = await h().app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=temperature`, headers: { 'ngsild-tenant': tenant } });
      if (res.statusCode !== 200) return undefined;
      const instances = [(res.json() as Record<string, unknown>).temperature].flat().filter(Boolean) as Array<Record<string, unknown>>;
      return instances.length === 2 ? instances : undefined;
    });
    assert.deepEqual(history.map((i) => [i.value, i.observedAt]).sort(), [
      [10, '2024-03-01T10:00:00.000Z'],
      [11, '2024-03-01T10:05:00.000Z'],
    ]);
  });

  it('a JSON measure and a single-attribute message should update the entity when a device publishes them', async () => {
    const tenant = uniqueTenant('mq');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, THERMO(key), [{ device_id: 'th3', protocol: 'IoTA-JSON' }]);
    const id = 'urn:ngsi-ld:Thermometer:th3';
    await mqtt.publishAsync(`/${key}/th3/attrs`, JSON.stringify({ t: 19, on: false, TimeInstant: '2024-03-01T10:00:00Z' }));
    await entityWhen(h().app, tenant, id, (e) => e.temperature === 19 && e.active === false, 'the JSON measure');
    await mqtt.publishAsync(`/${key}/th3/attrs/t`, '23.25');
    await entityWhen(h().app, tenant, id, (e) => e.temperature === 23.25, 'the single measure');
    await mqtt.publishAsync(`/json/${key}/th3/attrs`, '{"t": 24}');
    await entityWhen(h().app, tenant, id, (e) => e.temperature === 24, 'the measure on the /json topic');
  });

  it('the first measure of an unknown device should provision it and create its entity when its group autoprovisions', async () => {
    const tenant = uniqueTenant('mq');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, THERMO(key));
    await mqtt.publishAsync(`/${key}/auto1/attrs`, 't|5');
    await entityWhen(h().app, tenant, 'urn:ngsi-ld:Thermometer:auto1', (e) => e.temperature === 5 && e.category === 'sensor', 'the autoprovisioned entity');
    const res = await send(h().app, 'GET', '/iot/devices/auto1', undefined, service(tenant));
    assert.equal(res.statusCode, 200, res.body);
  });

  it('measures of an unknown device should be refused and counted DEVICE_NOT_FOUND when its group does not autoprovision', async () => {
    const tenant = uniqueTenant('mq');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, THERMO(key, { autoprovision: false }));
    await mqtt.publishAsync(`/${key}/stranger/attrs`, 't|5');
    const c = await poll('the refusal to be counted', async () => (await counters(h().app, '', key, 'stranger'))?.rejected.DEVICE_NOT_FOUND);
    assert.equal(c, 1);
    assert.equal(await entity(h().app, tenant, 'urn:ngsi-ld:Thermometer:stranger'), undefined);
  });

  it('bad device input should be refused and counted per device when it is malformed, mistyped or has an unknown API key', async () => {
    const tenant = uniqueTenant('mq');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, THERMO(key), [{ device_id: 'bad1' }]);
    await mqtt.publishAsync(`/${key}/bad1/attrs`, 't|1|h');
    await mqtt.publishAsync(`/${key}/bad1/attrs`, '{"t": ');
    await mqtt.publishAsync(`/${key}/bad1/attrs`, 't|warm|on|1');
    await mqtt.publishAsync(`/nokey-${key}/bad1/attrs`, 't|1');
    const c = await poll('the counters', async () => {
      const x = await counters(h().app, tenant, key, 'bad1');
      // the well-typed measure of the mistyped message is written
      return x?.rejected.MALFORMED_PAYLOAD === 2 && x.rejected.WRONG_TYPE === 1 && x.measures === 1 ? x : undefined;
    });
    assert.equal(c.lastError.name, 'WRONG_TYPE');
    await entityWhen(h().app, tenant, 'urn:ngsi-ld:Thermometer:bad1', (e) => e.active === true && e.temperature === undefined, 'the valid part');
    const unknown = await poll('the unknown API key', async () => (await counters(h().app, '', `nokey-${key}`, 'bad1'))?.rejected.DEVICE_GROUP_NOT_FOUND);
    assert.equal(unknown, 1);
    const dev = (await send(h().app, 'GET', '/iot/devices/bad1', undefined, service(tenant))).json() as Record<string, any>;
    assert.equal(dev.stats.rejected.MALFORMED_PAYLOAD, 2);
  });

  it('a flood of bad input should never hold the measures of another device when both publish at once', async () => {
    const tenant = uniqueTenant('mq');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, THERMO(key), [{ device_id: 'good' }, { device_id: 'noisy' }]);
    const sends: Array<Promise<unknown>> = [];
    for (let i = 1; i <= 50; i++) {
      sends.push(mqtt.publishAsync(`/${key}/noisy/attrs`, i % 2 ? '|||#' : 't|NaN'));
      sends.push(mqtt.publishAsync(`/${key}/good/attrs`, `t|${i}`, { qos: 1 }));
    }
    await Promise.all(sends);
    await entityWhen(h().app, tenant, 'urn:ngsi-ld:Thermometer:good', (e) => e.temperature === 50, 'the last good measure');
    const good = await poll('the good device counted', async () => {
      const x = await counters(h().app, tenant, key, 'good');
      return x?.measures === 50 ? x : undefined;
    });
    assert.deepEqual(good.rejected, {});
    const noisy = await poll('the noisy device counted', async () => {
      const x = await counters(h().app, tenant, key, 'noisy');
      return (x?.rejected.MALFORMED_PAYLOAD ?? 0) + (x?.rejected.WRONG_TYPE ?? 0) === 50 ? x : undefined;
    });
    assert.equal(noisy.measures, 0);
  });
});
