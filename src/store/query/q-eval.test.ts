/**
 * evalQ (core/query/q-eval.ts) against qSql: on random entities and random numeric q expressions, every answer the
 * in-memory evaluator gives is the answer SQL gives (through store.queryEntities), on every engine; and it gives
 * one for the plain numeric terms subscriptions mostly use.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import fc from 'fast-check';
import { forEachEngine } from '../../../test/support/engines.js';
import type { Attribute, Entity } from '../../core/entity/model.js';
import type { QComparable, QExpr, QPath, QValue } from '../../core/query/q-ast.js';
import { evalQ } from '../../core/query/q-eval.js';

const EX = 'http://example.org/';
const ATTRS = [`${EX}n`, `${EX}m`];
const T = '2024-01-01T00:00:00Z';

const small = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -0.5, 2.25, 1e21, -0));
const instanceArb: fc.Arbitrary<Attribute> = fc.oneof(
  { weight: 5, arbitrary: small.map((value): Attribute => ({ type: 'Property', value })) },
  { weight: 2, arbitrary: fc.array(small, { minLength: 1, maxLength: 3 }).map((value): Attribute => ({ type: 'Property', value })) },
  fc.constantFrom<Attribute>(
    { type: 'Property', value: '1' },
    { type: 'Property', value: true },
    { type: 'Property', value: { '@type': 'Number', '@value': 1 } },
    { type: 'Relationship', object: 'urn:x:1' },
    { type: 'Property', value: [] },
  ),
);
const attributeArb = fc.array(instanceArb, { minLength: 1, maxLength: 3 }).map((list) => list.map((a, k) => (k === 0 ? a : { ...a, datasetId: `urn:ds:${k}` })));
const attrsArb = fc
  .record({ n: attributeArb, m: attributeArb }, { requiredKeys: [] })
  .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [`${EX}${k}`, v])) as Record<string, Attribute[]>);

const path = (attr: string): QPath => ({ via: [], attr, sub: [], keys: [] });
const numArb: fc.Arbitrary<QComparable> = small.map((value) => ({ kind: 'number', value }));
const valueArb: fc.Arbitrary<QValue> = fc.oneof({ weight: 6, arbitrary: numArb }, { weight: 1, arbitrary: fc.constant<QValue>({ kind: 'string', value: '1' }) });
const attrArb = fc.constantFrom(...ATTRS);
const leafArb: fc.Arbitrary<QExpr> = fc.oneof(
  fc.record({ attr: attrArb, op: fc.constantFrom('==', '!=', '>', '>=', '<', '<=' as const), value: valueArb }).map(
    ({ attr, op, value }): QExpr => ({ kind: 'compare', path: path(attr), op, value }),
  ),
  fc.record({ attr: attrArb, negated: fc.boolean(), values: fc.array(valueArb, { minLength: 2, maxLength: 3 }) }).map(
    ({ attr, negated, values }): QExpr => ({ kind: 'in', path: path(attr), negated, values }),
  ),
  fc.record({ attr: attrArb, negated: fc.boolean(), min: numArb, max: numArb }).map(({ attr, negated, min, max }): QExpr => ({ kind: 'range', path: path(attr), negated, min, max })),
  attrArb.map((attr): QExpr => ({ kind: 'exists', path: path(attr) })),
  attrArb.map((attr): QExpr => ({ kind: 'notExists', path: path(attr) })),
);
const qArb: fc.Arbitrary<QExpr> = fc.letrec<{ q: QExpr }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.record({ kind: fc.constantFrom('and', 'or' as const), items: fc.array(tie('q'), { minLength: 1, maxLength: 3 }) }) as fc.Arbitrary<QExpr>,
  ),
})).q;

forEachEngine('evalQ agrees with qSql (clause 4.9)', (_engine, store) => {
  it('evalQ should give the answer of SQL whenever it gives one, on random numeric attributes and q', async () => {
    const tenant = `qeval-${randomUUID()}`;
    const entities = fc.sample(attrsArb, { numRuns: 60, seed: 7 }).map((attrs, i): Entity => ({ id: `urn:e:${i}`, types: [`${EX}T`], createdAt: T, modifiedAt: T, attrs }));
    await store().write(tenant, (tx) => tx.insert(entities));
    let decided = 0;
    await fc.assert(
      fc.asyncProperty(qArb, async (q) => {
        const { entities: hits } = await store().queryEntities(tenant, { q, limit: 1000, offset: 0, count: false });
        const inSql = new Set(hits.map((e) => e.id));
        for (const e of entities) {
          const mine = evalQ(q, e);
          if (mine === undefined) continue;
          decided++;
          assert.equal(mine, inSql.has(e.id), `${JSON.stringify(q)} on ${JSON.stringify(e.attrs)}`);
        }
      }),
      { numRuns: 150, seed: 11 },
    );
    assert.ok(decided > 1000, `the evaluator decided ${decided} cases`);
  });
});

it('evalQ should decide plain numeric terms and leave strings, patterns and sub-attributes to SQL', () => {
  const e: Entity = { id: 'urn:e', types: [`${EX}T`], createdAt: T, modifiedAt: T, attrs: { [ATTRS[0]]: [{ type: 'Property', value: 30 }] } };
  const gt = (value: QValue, p = path(ATTRS[0])): QExpr => ({ kind: 'compare', path: p, op: '>', value });
  assert.equal(evalQ(gt({ kind: 'number', value: 20 }), e), true);
  assert.equal(evalQ(gt({ kind: 'number', value: 30 }), e), false);
  assert.equal(evalQ(gt({ kind: 'number', value: 20 }, path(ATTRS[1])), e), false, 'an absent attribute satisfies nothing');
  assert.equal(evalQ(gt({ kind: 'string', value: '20' }), e), undefined);
  assert.equal(evalQ(gt({ kind: 'number', value: 20 }, { ...path(ATTRS[0]), sub: [`${EX}s`] }), e), undefined);
  assert.equal(evalQ({ kind: 'pattern', path: path(ATTRS[0]), negated: false, pattern: '3', ignoreCase: false }, e), undefined);
});
