import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandOperations, operationGroups, operations } from './operations.js';
import { overlaps, parseTimeQuery } from './time.js';

describe('operations (4.20)', () => {
  it('expandOperations should expand retrieveOps to retrieveEntity and queryEntity (table 4.20-2)', () => {
    assert.deepEqual(expandOperations(['retrieveOps']), ['retrieveEntity', 'queryEntity']);
  });

  it('expandOperations should expand updateOps to the four update operations of table 4.20-2', () => {
    assert.deepEqual(expandOperations(['updateOps']).sort(), ['replaceAttrs', 'replaceEntity', 'updateAttrs', 'updateEntity']);
  });

  it('expandOperations should include the subscription operations in federationOps but no write', () => {
    const f = expandOperations(['federationOps']);
    for (const op of ['retrieveEntity', 'queryEntity', 'queryBatch', 'retrieveEntityTypes', 'retrieveAttrTypeInfo', 'createSubscription', 'deleteSubscription']) {
      assert.ok(f.includes(op as never), op);
    }
    assert.ok(!f.includes('createEntity'));
    assert.ok(!f.includes('retrieveTemporal'));
  });

  it('expandOperations should include every entity write and read in redirectionOps but no batch', () => {
    const r = expandOperations(['redirectionOps']);
    for (const op of ['createEntity', 'updateEntity', 'appendAttrs', 'updateAttrs', 'deleteAttrs', 'deleteEntity', 'mergeEntity', 'replaceEntity', 'replaceAttrs', 'retrieveEntity', 'queryEntity']) {
      assert.ok(r.includes(op as never), op);
    }
    assert.ok(!r.includes('createBatch'));
  });

  it('expandOperations should merge groups and single operations without repetition in table order', () => {
    assert.deepEqual(expandOperations(['queryEntity', 'retrieveOps', 'createEntity']), ['createEntity', 'retrieveEntity', 'queryEntity']);
  });

  it('operation groups should name only operations of table 4.20-1', () => {
    for (const ops of Object.values(operationGroups)) for (const op of ops) assert.ok((operations as readonly string[]).includes(op), op);
  });
});

describe('temporal matching of registrations (5.10.2, 5.2.11)', () => {
  const q = (i: Record<string, unknown>) => {
    const r = parseTimeQuery(i);
    assert.ok(r.ok && r.value, r.ok ? '' : r.problem.detail);
    return r.value;
  };
  const interval = { startAt: '2020-01-01T00:00:00Z', endAt: '2021-01-01T00:00:00Z' };

  it('overlaps should hold when the interval shares an instant with the query range', () => {
    assert.ok(overlaps(interval, q({ timerel: 'after', timeAt: '2020-12-31T23:59:59Z' })));
    assert.ok(overlaps(interval, q({ timerel: 'before', timeAt: '2020-01-01T00:00:01Z' })));
    assert.ok(overlaps(interval, q({ timerel: 'between', timeAt: '2019-01-01T00:00:00Z', endTimeAt: '2020-01-01T00:00:01Z' })));
    assert.ok(overlaps({ startAt: '2020-01-01T00:00:00Z' }, q({ timerel: 'after', timeAt: '2099-01-01T00:00:00Z' })));
  });

  it('overlaps should not hold when the ranges only touch, the interval end being excluded', () => {
    assert.ok(!overlaps(interval, q({ timerel: 'after', timeAt: '2021-01-01T00:00:00Z' })));
    assert.ok(!overlaps(interval, q({ timerel: 'before', timeAt: '2020-01-01T00:00:00Z' })));
  });

  it('parseTimeQuery should refuse an incomplete or inverted temporal query', () => {
    assert.equal(parseTimeQuery({ timerel: 'after' }).ok, false);
    assert.equal(parseTimeQuery({ timerel: 'between', timeAt: '2020-01-01T00:00:00Z' }).ok, false);
    assert.equal(parseTimeQuery({ timerel: 'between', timeAt: '2020-01-01T00:00:00Z', endTimeAt: '2019-01-01T00:00:00Z' }).ok, false);
    assert.equal(parseTimeQuery({ timerel: 'after', timeAt: '2020-01-01T00:00:00Z', timeproperty: 'observed' }).ok, false);
    assert.equal(parseTimeQuery({ timerel: 'after', timeAt: '2020-01-01T00:00:00Z', endTimeAt: '2021-01-01T00:00:00Z' }).ok, false);
    assert.deepEqual(parseTimeQuery({}), { ok: true, value: undefined });
  });
});
