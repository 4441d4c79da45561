import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDeviceChanges, parseDevices, parseGroupChanges, parseGroups } from './parse.js';

/** A FIWARE tutorial's provisioning, as scripts send it. */
const GROUP = {
  apikey: '4jggokgpepnvsb2uv4s40d59ov',
  cbroker: 'http://orion:1026',
  entity_type: 'Thing',
  resource: '/iot/d',
  attributes: [{ object_id: 't', name: 'temperature', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'CEL' } } }],
  lazy: [{ name: 'luminosity', type: 'Integer' }],
  static_attributes: [{ name: 'category', type: 'Text', value: 'sensor' }],
};
const DEVICE = {
  device_id: 'motion001',
  entity_name: 'urn:ngsi-ld:Motion:001',
  entity_type: 'Motion',
  protocol: 'PDI-IoTA-UltraLight',
  transport: 'MQTT',
  timezone: 'Europe/Berlin',
  attributes: [{ object_id: 'c', name: 'count', type: 'Integer' }],
  commands: [{ name: 'ring', type: 'command' }],
  static_attributes: [{ name: 'refStore', type: 'Relationship', value: 'urn:ngsi-ld:Store:001' }],
};

test('parseGroups should keep the group when a FIWARE script provisions it', () => {
  const r = parseGroups({ services: [GROUP] });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(r.value[0], GROUP);
  assert.ok(parseGroups({ configGroups: [GROUP] }).ok);
});

test('parseDevices should keep the device when a FIWARE script provisions it', () => {
  const r = parseDevices({ devices: [DEVICE] });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(r.value[0], DEVICE);
});

test('parseGroups should answer WRONG_SYNTAX naming the field when the body is invalid', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{}, /body.services must be a non-empty array/],
    [{ services: [] }, /non-empty/],
    [{ services: [{ resource: '/iot/d' }] }, /services\[0\]\.apikey is required/],
    [{ services: [{ apikey: 'a/b', resource: '' }] }, /apikey must be 1 to 256 characters/],
    [{ services: [{ ...GROUP, attributes: [{ name: 't' }] }] }, /attributes\[0\]\.type is required/],
    [{ services: [{ ...GROUP, attributes: [{ name: 'id', type: 'Text' }] }] }, /not a valid attribute name/],
    [{ services: [{ ...GROUP, attributes: [{ name: 't', type: 'Number', expression: 't*2' }] }] }, /expression is not supported/],
    [{ services: [{ ...GROUP, explicitAttrs: "['t']" }] }, /explicitAttrs must be true or false/],
    [{ services: [{ ...GROUP, entityNameExp: 'id' }] }, /entityNameExp is not supported/],
    [{ services: [{ ...GROUP, static_attributes: [{ name: 'n', type: 'Number', value: 'x' }] }] }, /is not a Number/],
  ];
  for (const [body, message] of cases) {
    const r = parseGroups(body);
    assert.equal(r.ok, false, JSON.stringify(body));
    if (!r.ok) {
      assert.equal(r.error.name, 'WRONG_SYNTAX');
      assert.match(r.error.message, message);
    }
  }
});

test('parseDeviceChanges should refuse a new device_id when a device is modified', () => {
  const r = parseDeviceChanges({ device_id: 'other' });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.name, 'BAD_REQUEST');
  assert.deepEqual(parseDeviceChanges({ attributes: [] }), { ok: true, value: { attributes: [] } });
  assert.equal(parseDevices({ devices: [{ device_id: 'd', entity_name: 'not a uri' }] }).ok, false);
});

test('provisioning parsers should never throw and should answer WRONG_SYNTAX or BAD_REQUEST when given any JSON', () => {
  const parsers = [parseGroups, parseDevices, parseGroupChanges, parseDeviceChanges];
  const field = fc.constantFrom('apikey', 'resource', 'entity_type', 'attributes', 'commands', 'static_attributes', 'device_id', 'entity_name', 'explicitAttrs', 'lazy');
  const mapping = fc.record({ name: fc.oneof(fc.string(), fc.jsonValue()), type: fc.oneof(fc.string(), fc.jsonValue()), object_id: fc.jsonValue(), value: fc.jsonValue() }, { requiredKeys: [] });
  const item = fc.dictionary(field, fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(mapping, { maxLength: 3 })), { maxKeys: 6 });
  const body = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ services: fc.array(item, { maxLength: 3 }) }), fc.record({ devices: fc.array(item, { maxLength: 3 }) }), item);
  fc.assert(
    fc.property(body, (b) => {
      for (const parse of parsers) {
        const r = parse(b);
        if (!r.ok) assert.ok(['WRONG_SYNTAX', 'BAD_REQUEST'].includes(r.error.name), r.error.name);
      }
    }),
    { numRuns: 3000 },
  );
});
