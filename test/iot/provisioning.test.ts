/**
 * The FIWARE IoT Agent provisioning API (iotagent-node-lib "API Routes"): config groups and devices, their status
 * codes and `{name, message}` error bodies, tenants from Fiware-Service (or NGSILD-Tenant), service paths, and
 * persistence in the database, on both engines.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { freePort } from '../support/broker-process.js';
import { forEachEngine } from '../support/engines.js';
import { send, uniqueTenant } from '../support/http.js';
import { buildIotApp, describeIot, json, service } from './support.js';

const group = (apikey: string, extra: Record<string, unknown> = {}) => ({
  apikey,
  cbroker: 'http://orion:1026',
  entity_type: 'Thing',
  resource: '/iot/d',
  attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }],
  ...extra,
});

function assertIotError(res: { statusCode: number; body: string }, status: number, name: string): void {
  assert.equal(res.statusCode, status, res.body);
  const b = JSON.parse(res.body) as { name: string; message: string };
  assert.equal(b.name, name, res.body);
  assert.ok(typeof b.message === 'string' && b.message.length > 0, res.body);
}

describeIot('IoT provisioning', (h) => {
  it('POST /iot/services should answer 201 and GET should list the group with its service when a script provisions it', async () => {
    const tenant = uniqueTenant('iotsvc');
    const key = uniqueTenant('key');
    const res = await send(h().app, 'POST', '/iot/services', { services: [group(key)] }, service(tenant, '/gardens'));
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(json(res), {});
    const list = json(await send(h().app, 'GET', '/iot/services', undefined, service(tenant, '/gardens')));
    assert.equal(list.count, 1);
    assert.deepEqual(list.services[0], { ...group(key), service: tenant, subservice: '/gardens' });
    const all = json(await send(h().app, 'GET', '/iot/services', undefined, service(tenant, '/*')));
    assert.equal(all.count, 1);
    const other = json(await send(h().app, 'GET', '/iot/services', undefined, service(tenant, '/parks')));
    assert.equal(other.count, 0);
  });

  it('POST /iot/services should answer 409 DUPLICATE_GROUP when the resource and API key exist in any tenant', async () => {
    const key = uniqueTenant('key');
    assert.equal((await send(h().app, 'POST', '/iot/services', { services: [group(key)] }, service(uniqueTenant('a')))).statusCode, 201);
    const res = await send(h().app, 'POST', '/iot/services', { services: [group(key)] }, service(uniqueTenant('b')));
    assertIotError(res, 409, 'DUPLICATE_GROUP');
  });

  it('POST /iot/services should answer 400 WRONG_SYNTAX and store nothing when one group of several is invalid', async () => {
    const tenant = uniqueTenant('iotsvc');
    const res = await send(h().app, 'POST', '/iot/services', { services: [group(uniqueTenant('k')), { resource: '/iot/d' }] }, service(tenant));
    assertIotError(res, 400, 'WRONG_SYNTAX');
    assert.equal(json(await send(h().app, 'GET', '/iot/services', undefined, service(tenant))).count, 0);
    assertIotError(await send(h().app, 'POST', '/iot/services', 'not json', service(tenant)), 400, 'WRONG_SYNTAX');
  });

  it('PUT /iot/services should change the group when resource and apikey name it, and answer 404 or 400 otherwise', async () => {
    const tenant = uniqueTenant('iotsvc');
    const key = uniqueTenant('key');
    await send(h().app, 'POST', '/iot/services', { services: [group(key)] }, service(tenant));
    const res = await send(h().app, 'PUT', `/iot/services?resource=/iot/d&apikey=${key}`, { entity_type: 'Sensor' }, service(tenant));
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(json(await send(h().app, 'GET', '/iot/services', undefined, service(tenant))).services[0].entity_type, 'Sensor');
    assertIotError(await send(h().app, 'PUT', '/iot/services?resource=/iot/d', { entity_type: 'X' }, service(tenant)), 400, 'MISSING_CONFIG_PARAMS');
    assertIotError(await send(h().app, 'PUT', '/iot/services?resource=/iot/d&apikey=nope', { entity_type: 'X' }, service(tenant)), 404, 'DEVICE_GROUP_NOT_FOUND');
    assertIotError(await send(h().app, 'PUT', `/iot/services?resource=/iot/d&apikey=${key}`, { entity_type: 'X' }, service(uniqueTenant('other'))), 404, 'DEVICE_GROUP_NOT_FOUND');
  });

  it('DELETE /iot/services should answer 204 and then 404 when the group is removed', async () => {
    const tenant = uniqueTenant('iotsvc');
    const key = uniqueTenant('key');
    await send(h().app, 'POST', '/iot/services', { services: [group(key)] }, service(tenant));
    assert.equal((await send(h().app, 'DELETE', `/iot/services?resource=/iot/d&apikey=${key}`, undefined, service(tenant))).statusCode, 204);
    assertIotError(await send(h().app, 'DELETE', `/iot/services?resource=/iot/d&apikey=${key}`, undefined, service(tenant)), 404, 'DEVICE_GROUP_NOT_FOUND');
  });

  it('POST /iot/devices should answer 201 and GET should show the device with its default entity when a script provisions it', async () => {
    const tenant = uniqueTenant('iotdev');
    const key = uniqueTenant('key');
    await send(h().app, 'POST', '/iot/services', { services: [group(key)] }, service(tenant));
    const device = { device_id: 'motion001', entity_type: 'Motion', transport: 'MQTT', attributes: [{ object_id: 'c', name: 'count', type: 'Integer' }] };
    const res = await send(h().app, 'POST', '/iot/devices', { devices: [device] }, service(tenant));
    assert.equal(res.statusCode, 201, res.body);
    const got = json(await send(h().app, 'GET', '/iot/devices/motion001', undefined, service(tenant)));
    assert.deepEqual({ ...got, stats: undefined }, { ...device, apikey: key, entity_name: 'urn:ngsi-ld:Motion:motion001', service: tenant, service_path: '/', stats: undefined });
    assert.deepEqual(got.stats, { measures: 0, rejected: {} });
    const list = json(await send(h().app, 'GET', '/iot/devices?limit=10&offset=0', undefined, service(tenant)));
    assert.equal(list.count, 1);
    assert.equal(list.devices[0].device_id, 'motion001');
  });

  it('POST /iot/devices should answer 409 DUPLICATE_DEVICE_ID when the device exists in the tenant', async () => {
    const tenant = uniqueTenant('iotdev');
    const body = { devices: [{ device_id: 'dup1', entity_type: 'Thing' }] };
    assert.equal((await send(h().app, 'POST', '/iot/devices', body, service(tenant))).statusCode, 201);
    assertIotError(await send(h().app, 'POST', '/iot/devices', body, service(tenant)), 409, 'DUPLICATE_DEVICE_ID');
  });

  it('PUT and DELETE /iot/devices/{id} should answer 204 when the device exists and 404 DEVICE_NOT_FOUND when it does not', async () => {
    const tenant = uniqueTenant('iotdev');
    await send(h().app, 'POST', '/iot/devices', { devices: [{ device_id: 'm1', entity_type: 'Thing' }] }, service(tenant));
    const put = await send(h().app, 'PUT', '/iot/devices/m1', { attributes: [{ object_id: 'p', name: 'pressure', type: 'Number' }] }, service(tenant));
    assert.equal(put.statusCode, 204, put.body);
    assert.equal(json(await send(h().app, 'GET', '/iot/devices/m1', undefined, service(tenant))).attributes[0].name, 'pressure');
    assertIotError(await send(h().app, 'PUT', '/iot/devices/m1', { device_id: 'm2' }, service(tenant)), 400, 'BAD_REQUEST');
    assertIotError(await send(h().app, 'PUT', '/iot/devices/nope', { attributes: [] }, service(tenant)), 404, 'DEVICE_NOT_FOUND');
    assert.equal((await send(h().app, 'DELETE', '/iot/devices/m1', undefined, service(tenant))).statusCode, 204);
    assertIotError(await send(h().app, 'GET', '/iot/devices/m1', undefined, service(tenant)), 404, 'DEVICE_NOT_FOUND');
    assertIotError(await send(h().app, 'DELETE', '/iot/devices/m1', undefined, service(tenant)), 404, 'DEVICE_NOT_FOUND');
  });

  it('provisioning should scope devices by tenant when Fiware-Service or NGSILD-Tenant names it', async () => {
    const tenant = uniqueTenant('iotten');
    await send(h().app, 'POST', '/iot/devices', { devices: [{ device_id: 'x1', entity_type: 'Thing' }] }, { 'ngsild-tenant': tenant });
    assert.equal((await send(h().app, 'GET', '/iot/devices/x1', undefined, service(tenant))).statusCode, 200);
    assert.equal((await send(h().app, 'GET', '/iot/devices/x1', undefined, service(uniqueTenant('other')))).statusCode, 404);
    assertIotError(await send(h().app, 'GET', '/iot/devices', undefined, { 'fiware-service': tenant, 'ngsild-tenant': 'another' }), 400, 'BAD_REQUEST');
  });

  it('provisioning should answer WRONG_SYNTAX when a field Mimosa does not implement would change the data', async () => {
    const tenant = uniqueTenant('iotdev');
    const res = await send(h().app, 'POST', '/iot/devices', { devices: [{ device_id: 'e1', attributes: [{ name: 't', type: 'Number', expression: 't * 2' }] }] }, service(tenant));
    assertIotError(res, 400, 'WRONG_SYNTAX');
    assert.match(json(res).message, /expression is not supported/);
  });

  it('provisioning should answer 400 WRONG_SYNTAX and store nothing when an attribute is named __proto__', async () => {
    const tenant = uniqueTenant('iotdev');
    const attributes = [{ object_id: 'p', name: '__proto__', type: 'Number' }];
    assertIotError(await send(h().app, 'POST', '/iot/devices', { devices: [{ device_id: 'p1', attributes }] }, service(tenant)), 400, 'WRONG_SYNTAX');
    assertIotError(await send(h().app, 'POST', '/iot/services', { services: [group(uniqueTenant('k'), { attributes })] }, service(tenant)), 400, 'WRONG_SYNTAX');
    assert.equal((await send(h().app, 'GET', '/iot/devices/p1', undefined, service(tenant))).statusCode, 404);
  });

  it('provisioning should be kept in the database when a new application opens the same store', async () => {
    const tenant = uniqueTenant('iotkeep');
    const key = uniqueTenant('key');
    await send(h().app, 'POST', '/iot/services', { services: [group(key)] }, service(tenant));
    await send(h().app, 'POST', '/iot/devices', { devices: [{ device_id: 'kept1' }] }, service(tenant));
    const { app } = await buildIotApp(h().store, {}, h().engine);
    try {
      assert.equal(json(await send(app, 'GET', '/iot/services', undefined, service(tenant))).services[0].apikey, key);
      assert.equal(json(await send(app, 'GET', '/iot/devices/kept1', undefined, service(tenant))).apikey, key);
    } finally {
      await app.close();
    }
  });
});

forEachEngine('IoT provisioning on its own port', (engine, store) => {
  it('the provisioning API should be served on MIMOSA_IOT_PORT and not on the NGSI-LD port when a port is given', async () => {
    const port = await freePort();
    const { app } = await buildIotApp(store(), { iotPort: port }, engine);
    try {
      const tenant = uniqueTenant('iotport');
      const res = await fetch(`http://127.0.0.1:${port}/iot/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'fiware-service': tenant },
        body: JSON.stringify({ devices: [{ device_id: 'p1' }] }),
      });
      assert.equal(res.status, 201, await res.text());
      assert.equal((await fetch(`http://127.0.0.1:${port}/iot/devices/p1`, { headers: { 'fiware-service': tenant } })).status, 200);
      assert.equal((await send(app, 'GET', '/iot/devices/p1', undefined, service(tenant))).statusCode, 404);
    } finally {
      await app.close();
    }
  });
});
