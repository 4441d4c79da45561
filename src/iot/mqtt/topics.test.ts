import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseTopic } from './topics.js';

test('parseTopic should read the API key, device and kind when the topic is a device topic', () => {
  assert.deepEqual(parseTopic('/k1/d1/attrs'), { kind: 'attrs', apikey: 'k1', deviceId: 'd1' });
  assert.deepEqual(parseTopic('/k1/d1/attrs/t'), { kind: 'attr', apikey: 'k1', deviceId: 'd1', attr: 't' });
  assert.deepEqual(parseTopic('/k1/d1/cmdexe'), { kind: 'cmdexe', apikey: 'k1', deviceId: 'd1' });
  assert.deepEqual(parseTopic('/json/k1/d1/attrs'), { kind: 'attrs', apikey: 'k1', deviceId: 'd1', format: 'json' });
  assert.deepEqual(parseTopic('/ul/k1/d1/cmdexe'), { kind: 'cmdexe', apikey: 'k1', deviceId: 'd1', format: 'ul' });
});

test('parseTopic should ignore the topic when it is no device topic', () => {
  for (const t of ['k1/d1/attrs', '/k1/d1/cmd', '/k1/attrs', '/k1/d1/attrs/t/u', '//d1/attrs', '/k1//attrs', '/k1/d1/attrs/']) {
    assert.equal(parseTopic(t), undefined, t);
  }
  fc.assert(fc.property(fc.string({ maxLength: 80 }), (t) => void parseTopic(t)), { numRuns: 2000 });
});
