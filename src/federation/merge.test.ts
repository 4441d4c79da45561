import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Entity } from '../core/entity/model.js';
import { mergeEntities } from './merge.js';
import { isLoop, sourceUrl, viaOf } from './source-client.js';

const T = '2024-01-01T00:00:00Z';
const entity = (id: string, attrs: Entity['attrs'], types = ['urn:T']): Entity => ({ id, types, createdAt: T, modifiedAt: T, attrs });

it('merge entities should combine attributes and types when two parties hold the same entity', () => {
  const [e] = mergeEntities([[entity('urn:a', { p: [{ type: 'Property', value: 1 }] })], [entity('urn:a', { q: [{ type: 'Property', value: 2 }] }, ['urn:U'])]]);
  assert.deepEqual(Object.keys(e.attrs).sort(), ['p', 'q']);
  assert.deepEqual(e.types, ['urn:T', 'urn:U']);
});

it('merge entities should keep the most recent instance and every datasetId when an attribute is held twice', () => {
  const local = entity('urn:a', { p: [{ type: 'Property', value: 1, observedAt: '2024-01-01T00:00:00Z' }] });
  const remote = entity('urn:a', {
    p: [
      { type: 'Property', value: 2, observedAt: '2025-01-01T00:00:00Z' },
      { type: 'Property', value: 3, datasetId: 'urn:d' },
    ],
  });
  const [e] = mergeEntities([[local], [remote]]);
  assert.deepEqual(e.attrs.p.map((i) => i.value), [2, 3]);
});

it('merge entities should keep the local instance when neither is more recent', () => {
  const [e] = mergeEntities([[entity('urn:a', { p: [{ type: 'Property', value: 1 }] })], [entity('urn:a', { p: [{ type: 'Property', value: 2 }] })]]);
  assert.equal(e.attrs.p[0].value, 1);
});

it('merge entities should order entities by id when parties answer different entities', () => {
  assert.deepEqual(mergeEntities([[entity('urn:b', {})], [entity('urn:a', {})]]).map((e) => e.id), ['urn:a', 'urn:b']);
});

it('isLoop should be true when Via names this broker among several hops', () => {
  const via = viaOf({ via: '1.1 urn:other', self: 'urn:me' });
  assert.equal(via, '1.1 urn:other, 1.1 urn:me');
  assert.equal(isLoop(via, 'urn:me'), true);
  assert.equal(isLoop('1.1 urn:other', 'urn:me'), false);
  assert.equal(isLoop(undefined, 'urn:me'), false);
});

it('sourceUrl should add the base path when the endpoint does not name it', () => {
  assert.equal(sourceUrl('http://h:1/', '/entities'), 'http://h:1/ngsi-ld/v1/entities');
  assert.equal(sourceUrl('http://h:1/ngsi-ld/v1', '/entities', new URLSearchParams({ type: 'T' })), 'http://h:1/ngsi-ld/v1/entities?type=T');
});
