import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeUltralightCommand, parseUltralight, parseUltralightResult } from './ultralight.js';

test('parseUltralight should read key|value pairs when the payload has one group', () => {
  const r = parseUltralight('t|21.5|h|40\n');
  assert.ok(r.ok);
  assert.deepEqual(r.value, [{ measures: [{ key: 't', value: '21.5' }, { key: 'h', value: '40' }] }]);
});

test('parseUltralight should give one observation per group when groups are separated by #', () => {
  const r = parseUltralight('gps|1.2/3.4#t|10#');
  assert.ok(r.ok);
  assert.equal(r.value.length, 2);
  assert.deepEqual(r.value[1].measures, [{ key: 't', value: '10' }]);
});

test('parseUltralight should take a leading ISO 8601 timestamp when a group has an odd number of fields', () => {
  const r = parseUltralight('2016-06-13T00:35:30Z|lle|100');
  assert.ok(r.ok);
  assert.equal(r.value[0].observedAt, '2016-06-13T00:35:30.000Z');
  assert.deepEqual(r.value[0].measures, [{ key: 'lle', value: '100' }]);
});

test('parseUltralight should refuse the payload when it is malformed', () => {
  for (const bad of ['', '   ', 't|1|h', 'yesterday|t|1', '|5', 't|1##h|2', '2016-06-13T00:35:30Z']) {
    const r = parseUltralight(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
    if (!r.ok) assert.equal(r.error.name, 'MALFORMED_PAYLOAD');
  }
});

test('parseUltralight should never throw and should keep every pair when given any text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
      const r = parseUltralight(s);
      if (r.ok) for (const o of r.value) assert.ok(o.measures.length > 0 && o.measures.every((m) => m.key !== ''));
      else assert.equal(r.error.name, 'MALFORMED_PAYLOAD');
    }),
    { numRuns: 2000 },
  );
});

test('parseUltralight should read back what a device writes when keys and values avoid | and #', () => {
  const token = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[|#]/.test(s) && s.trim() === s && s !== '');
  const group = fc.array(fc.tuple(token, token), { minLength: 1, maxLength: 6 });
  fc.assert(
    fc.property(fc.array(group, { minLength: 1, maxLength: 4 }), (groups) => {
      const payload = groups.map((g) => g.map(([k, v]) => `${k}|${v}`).join('|')).join('#');
      const r = parseUltralight(payload);
      assert.ok(r.ok, payload);
      assert.deepEqual(
        r.value.map((o) => o.measures.map((m) => [m.key, m.value])),
        groups,
      );
    }),
    { numRuns: 500 },
  );
});

test('encodeUltralightCommand should write device@command|value when the value is a string or an object', () => {
  assert.equal(encodeUltralightCommand('bell1', 'ring', 'loud'), 'bell1@ring|loud');
  assert.equal(encodeUltralightCommand('bell1', 'ring', { times: 3, tone: 'a' }), 'bell1@ring|times=3|tone=a');
  assert.equal(encodeUltralightCommand('bell1', 'ring', ''), 'bell1@ring|');
});

test('parseUltralightResult should read the command and its result when the device answers', () => {
  const r = parseUltralightResult('bell1@ring|rang|twice');
  assert.ok(r.ok);
  assert.deepEqual(r.value, { command: 'ring', result: 'rang|twice' });
  assert.equal(parseUltralightResult('no at sign').ok, false);
  assert.equal(parseUltralightResult('@ring|x').ok, false);
});

test('parseUltralightResult should never throw when given any text', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => void parseUltralightResult(s)), { numRuns: 1000 });
});
