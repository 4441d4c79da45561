import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeJsonCommand, jsonValue, parseJsonMeasures, parseJsonResult } from './json.js';

test('parseJsonMeasures should read an object of measures when given one', () => {
  const r = parseJsonMeasures('{"t": 21.5, "s": "on", "TimeInstant": "2024-05-01T10:00:00+02:00"}');
  assert.ok(r.ok);
  assert.deepEqual(r.value, [{ measures: [{ key: 't', value: 21.5 }, { key: 's', value: 'on' }], observedAt: '2024-05-01T08:00:00.000Z' }]);
});

test('parseJsonMeasures should give one observation per object when given an array', () => {
  const r = parseJsonMeasures('[{"t": 1}, {"t": 2}]');
  assert.ok(r.ok);
  assert.equal(r.value.length, 2);
});

test('parseJsonMeasures should refuse the payload when it is not an object of measures', () => {
  for (const bad of ['', '{', '42', '"x"', 'null', '[]', '[1]', '{}', '{"TimeInstant": "2024-01-01T00:00:00Z"}', '{"t": 1, "TimeInstant": "noon"}']) {
    const r = parseJsonMeasures(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.equal(r.error.name, 'MALFORMED_PAYLOAD');
  }
});

test('parseJsonMeasures should never throw when given any text or any JSON', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => void parseJsonMeasures(s)), { numRuns: 1000 });
  fc.assert(
    fc.property(fc.json({ maxDepth: 4 }), (s) => {
      const r = parseJsonMeasures(s);
      if (r.ok) for (const o of r.value) assert.ok(o.measures.length > 0);
    }),
    { numRuns: 1000 },
  );
});

test('parseJsonMeasures should read back every measure when given an object of them', () => {
  const key = fc.string({ minLength: 1, maxLength: 10 }).filter((k) => k !== 'TimeInstant' && k !== '__proto__');
  fc.assert(
    fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 8 }), (o) => {
      const r = parseJsonMeasures(JSON.stringify(o));
      assert.ok(r.ok);
      assert.deepEqual(Object.fromEntries(r.value[0].measures.map((m) => [m.key, m.value])), JSON.parse(JSON.stringify(o)));
    }),
    { numRuns: 500 },
  );
});

test('jsonValue should give the JSON value when the text parses, else the text', () => {
  assert.equal(jsonValue('21.5'), 21.5);
  assert.equal(jsonValue('on'), 'on');
});

test('JSON commands should round-trip when the device answers with the command name', () => {
  assert.equal(encodeJsonCommand('ring', { times: 2 }), '{"ring":{"times":2}}');
  const r = parseJsonResult('{"ring": "rang"}');
  assert.ok(r.ok);
  assert.deepEqual(r.value, { command: 'ring', result: 'rang' });
  assert.equal(parseJsonResult('[]').ok, false);
  assert.equal(parseJsonResult('{}').ok, false);
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => void parseJsonResult(s)), { numRuns: 500 });
});
