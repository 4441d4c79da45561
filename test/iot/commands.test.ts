/**
 * Commands (FIWARE "Command execution") over real MQTT, on both engines: an NGSI-LD update of a command attribute
 * is published to the device's /cmd topic and the status becomes PENDING; the device's answer on /cmdexe sets the
 * status to OK and the info to its result.
 */
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { after, before, it } from 'node:test';
import { send, uniqueTenant } from '../support/http.js';
import { connect, counters, describeIot, entityWhen, poll, provision } from './support.js';

const BELL = (apikey: string) => ({ apikey, resource: '', entity_type: 'Bell' });

/** Collects what arrives on `topic`. */
async function listen(client: MqttClient, topic: string): Promise<string[]> {
  const got: string[] = [];
  client.on('message', (t, p) => {
    if (t === topic) got.push(p.toString());
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return got;
}

describeIot('IoT commands', (h) => {
  let device: MqttClient;
  before(async () => {
    device = await connect(h().mqttUrl);
  });
  after(async () => {
    await device.endAsync();
  });

  it('PATCH of a command attribute should publish an Ultralight command and its answer should set status and info when the device runs it', async () => {
    const tenant = uniqueTenant('cmd');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, BELL(key), [{ device_id: 'bell1', commands: [{ name: 'ring', type: 'command' }] }]);
    const id = 'urn:ngsi-ld:Bell:bell1';
    const created = await entityWhen(h().app, tenant, id, (e) => e.ring_status === 'UNKNOWN', 'the entity created with the device');
    assert.deepEqual(created, { id, type: 'Bell', ring: '', ring_status: 'UNKNOWN', ring_info: '' });
    const got = await listen(device, `/${key}/bell1/cmd`);
    const res = await send(h().app, 'PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs/ring`, { type: 'Property', value: 'loud' }, { 'ngsild-tenant': tenant });
    assert.equal(res.statusCode, 204, res.body);
    await poll('the command', async () => (got.length > 0 ? got : undefined));
    assert.deepEqual(got, ['bell1@ring|loud']);
    await entityWhen(h().app, tenant, id, (e) => e.ring_status === 'PENDING', 'the PENDING status');
    await device.publishAsync(`/${key}/bell1/cmdexe`, 'bell1@ring|rang twice');
    await entityWhen(h().app, tenant, id, (e) => e.ring_status === 'OK' && e.ring_info === 'rang twice', 'the OK status');
  });

  it('an update of several attributes should publish a JSON command when the device speaks JSON', async () => {
    const tenant = uniqueTenant('cmd');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, BELL(key), [{ device_id: 'lamp1', entity_type: 'Lamp', protocol: 'IoTA-JSON', commands: [{ name: 'switch', type: 'command' }] }]);
    const id = 'urn:ngsi-ld:Lamp:lamp1';
    await entityWhen(h().app, tenant, id, (e) => e.switch_status === 'UNKNOWN', 'the entity');
    const got = await listen(device, `/${key}/lamp1/cmd`);
    const res = await send(h().app, 'PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, { switch: { type: 'Property', value: { on: true } } }, { 'ngsild-tenant': tenant });
    assert.equal(res.statusCode, 204, res.body);
    await poll('the command', async () => (got.length > 0 ? got : undefined));
    assert.deepEqual(JSON.parse(got[0]), { switch: { on: true } });
    await device.publishAsync(`/${key}/lamp1/cmdexe`, JSON.stringify({ switch: 'done' }));
    await entityWhen(h().app, tenant, id, (e) => e.switch_status === 'OK' && e.switch_info === 'done', 'the OK status');
  });

  it('a command should end in ERROR status when the device sends over HTTP', async () => {
    const tenant = uniqueTenant('cmd');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, BELL(key), [{ device_id: 'web1', transport: 'HTTP', commands: [{ name: 'ring', type: 'command' }] }]);
    const id = 'urn:ngsi-ld:Bell:web1';
    await entityWhen(h().app, tenant, id, (e) => e.ring_status === 'UNKNOWN', 'the entity');
    await send(h().app, 'PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs/ring`, { type: 'Property', value: 'x' }, { 'ngsild-tenant': tenant });
    await entityWhen(h().app, tenant, id, (e) => e.ring_status === 'ERROR' && /MQTT only/.test(e.ring_info), 'the ERROR status');
  });

  it('an answer for a command the device does not have should be refused and counted when it arrives on /cmdexe', async () => {
    const tenant = uniqueTenant('cmd');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, BELL(key), [{ device_id: 'bell2', commands: [{ name: 'ring', type: 'command' }] }]);
    await device.publishAsync(`/${key}/bell2/cmdexe`, 'bell2@explode|boom');
    await device.publishAsync(`/${key}/bell2/cmdexe`, 'garbage');
    const c = await poll('the refusals', async () => {
      const x = await counters(h().app, tenant, key, 'bell2');
      return x?.rejected.MALFORMED_PAYLOAD === 2 ? x : undefined;
    });
    assert.match(c.lastError.message, /Ultralight command result|no command/);
  });

  it('updating an attribute that is no command should publish nothing when the entity belongs to a device', async () => {
    const tenant = uniqueTenant('cmd');
    const key = uniqueTenant('k');
    await provision(h().app, tenant, BELL(key), [{ device_id: 'bell3', commands: [{ name: 'ring', type: 'command' }] }]);
    const id = 'urn:ngsi-ld:Bell:bell3';
    await entityWhen(h().app, tenant, id, (e) => e.ring_status === 'UNKNOWN', 'the entity');
    const got = await listen(device, `/${key}/bell3/cmd`);
    await send(h().app, 'PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, { note: { type: 'Property', value: 'n' } }, { 'ngsild-tenant': tenant });
    await send(h().app, 'PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs/ring`, { type: 'Property', value: 'now' }, { 'ngsild-tenant': tenant });
    await poll('the ring command', async () => (got.length > 0 ? got : undefined));
    assert.deepEqual(got, ['bell3@ring|now'], 'only the command update was published');
  });
});
