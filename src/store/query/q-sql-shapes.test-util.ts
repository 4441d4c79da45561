/**
 * Stored data for the properties of q-sql.test.ts: attribute instances of every type in every shape a value can
 * take (normalized, one instance per attribute, so that `==` and `!=` split the entities that have a target),
 * and documents of shapes the store itself never writes (wrong types, nulls, missing members, non-arrays),
 * under the attribute names the AST generator of query-fixtures.test-util.ts draws.
 */
import type { Attribute, Entity } from '../../core/entity/model.js';
import type { QValue } from '../../core/query/q-ast.js';
import { EX, VOCAB } from '../../core/query/query-fixtures.test-util.js';
import type { SqlClient } from '../port.js';

const T0 = '2024-01-01T00:00:00Z';
const SUB = `${VOCAB}sub`;
const ATTRS = [`${EX}speed`, `${VOCAB}température`];

/** Instances of every attribute type, with values at the top, in arrays, below keys k, k.j and en, and as @value. */
const normal: Attribute[] = [
  { type: 'Property', value: 5, unitCode: 'x', datasetId: 'urn:x', observedAt: T0 },
  { type: 'Property', value: 5.0 },
  { type: 'Property', value: 'x' },
  { type: 'Property', value: 'Male' },
  { type: 'Property', value: `${VOCAB}Male` },
  { type: 'Property', value: true },
  { type: 'Property', value: ['x', 5, false] },
  { type: 'Property', value: [[5]] },
  { type: 'Property', value: { k: 'x', en: 5 } },
  { type: 'Property', value: { k: { j: 5 } } },
  { type: 'Property', value: { k: ['x', { j: 'x' }] } },
  { type: 'Property', value: { k: { '@value': 'x' } } },
  { type: 'Property', value: { '@type': 'DateTime', '@value': '2020-01-01T00:00:00Z' } },
  { type: 'Property', value: [{ '@value': 5 }, { '@value': '2020-01-01' }] },
  { type: 'Property', value: '2020-01-01' },
  { type: 'Property', value: 'urn:x', unitCode: 'y' },
  { type: 'GeoProperty', value: { type: 'Point', coordinates: [5, 1] } },
  { type: 'LanguageProperty', languageMap: { en: 'x', fr: ['Male', 'y'] } },
  { type: 'LanguageProperty', languageMap: { k: 'x' } },
  { type: 'LanguageProperty', languageMap: {} },
  { type: 'VocabProperty', vocab: `${VOCAB}Male` },
  { type: 'VocabProperty', vocab: [`${VOCAB}x`, `${VOCAB}Male`] },
  { type: 'JsonProperty', json: { k: 5, en: 'x' } },
  { type: 'JsonProperty', json: [5, 'x'] },
  { type: 'ListProperty', valueList: [5, 'x', true] },
  { type: 'ListProperty', valueList: [{ '@value': 'x' }, [5]] },
  { type: 'Relationship', object: 'urn:x', datasetId: 'urn:y' },
  { type: 'Relationship', object: ['urn:y', 'urn:x'] },
  { type: 'ListRelationship', objectList: [{ object: 'urn:x' }] },
];

function normalEntities(): Entity[] {
  const n = normal.length;
  return normal.map((_, i) => ({
    id: `urn:s:${String(i).padStart(2, '0')}`,
    types: [`${VOCAB}Shape`],
    createdAt: T0,
    modifiedAt: T0,
    attrs: {
      [ATTRS[0]]: [{ ...normal[i], [SUB]: normal[(i + 2) % n] }],
      [ATTRS[1]]: [normal[(i + 1) % n]],
    },
  }));
}

/** Instance shapes the store never writes, each of them a way for a careless cast or expansion to fail. */
function odd(sub: string): unknown[] {
  return [
    'text',
    5,
    null,
    true,
    [1, 2],
    {},
    { type: 'Property' },
    { type: 'Property', value: null },
    { type: 5, value: 'x' },
    { type: 'Property', value: '2020-02-30T25:00:00Z' },
    { type: 'Property', value: '9999-12-31T23:59:59-15:59' },
    { type: 'Property', value: '0001-01-01T00:00:00+15:59' },
    { type: 'Property', value: '2024-01-01T00:00:00+23:00' },
    { type: 'Property', value: '23:59:59.9999999' },
    { type: 'Property', value: '24:00:00' },
    { type: 'Property', value: '2020-02-29' },
    { type: 'Property', value: 1e308 },
    { type: 'Property', value: -1e-308 },
    { type: 'Property', value: { '@value': { '@value': 1 } } },
    { type: 'Property', value: [[{ '@value': '12:00:00' }]] },
    { type: 'Property', value: { x1: { y: [1, 'a', null, {}] } } },
    { type: 'LanguageProperty', languageMap: 'notAMap' },
    { type: 'LanguageProperty', languageMap: { en: 5, fr: [[1]], '@none': null } },
    { type: 'LanguageProperty', languageMap: [] },
    { type: 'Relationship', object: { a: 1 } },
    { type: 'Relationship', object: [1, null, { x: 1 }, 'urn:w:2'] },
    { type: 'Relationship', object: 'urn:w:2' },
    { type: 'ListRelationship', objectList: 'x' },
    { type: 'ListRelationship', objectList: [1, { object: 2 }, { object: 'urn:w:1' }, { object: ['urn:w:2'] }] },
    { type: 'VocabProperty', vocab: 7 },
    { type: 'VocabProperty', vocab: [null, 'x'] },
    { type: 'JsonProperty', json: 'x' },
    { type: 'JsonProperty', json: null },
    { type: 'ListProperty', valueList: { a: 1 } },
    { type: 'ListProperty', valueList: [[1], { '@value': 'x' }] },
    { type: 'Property', value: 1, observedAt: 5, createdAt: 'yesterday', modifiedAt: ['2020-01-01T00:00:00Z'], unitCode: { a: 1 }, datasetId: [1] },
    { type: 'Property', value: 1, [sub]: 'not an object' },
    { type: 'Property', value: 1, [sub]: [{ type: 'Property', value: 2 }] },
    { type: 'Property', value: 1, [sub]: { type: 'Relationship', object: 'urn:w:1', [sub]: { type: 'Property', value: { x1: 2 } } } },
  ];
}

/** Names the AST generator draws most often (plain names and their `ex:` forms), as attributes and sub-attributes. */
const drawn = ['speed', 'température', '名前', 'a_1'].flatMap((n) => [n === 'speed' ? `${EX}speed` : `${VOCAB}${n}`, `${EX}${n}`]);

function oddDocuments(): unknown[] {
  const types = [`${EX}speed`, `${VOCAB}a_1`];
  const doc = (id: string, attrs: unknown) => ({ id, types, createdAt: T0, modifiedAt: T0, attrs });
  const each = (f: (name: string) => unknown) => Object.fromEntries(drawn.map((n) => [n, f(n)]));
  return [
    doc('urn:w:1', each((n) => odd(n))),
    doc('urn:w:2', each((n) => ({ type: 'Relationship', object: 'urn:w:1', [n]: { type: 'Property', value: 1 } }))),
    doc('urn:w:3', each(() => 'not instances')),
    doc('urn:w:4', {}),
    doc('urn:w:5', 'not attributes'),
  ];
}

/** Inserts the odd documents and the normal entities into `tenant` as rows, bypassing the store, which refuses them. */
export async function insertOddRows(client: SqlClient, tenant: string): Promise<void> {
  const docs = [...oddDocuments(), ...normalEntities()];
  await client.query(
    `INSERT INTO entities (tenant, id, types, attr_names, created_at, modified_at, doc)
     SELECT $1, d->>'id', ARRAY(SELECT jsonb_array_elements_text(d->'types')),
       ARRAY(SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(d->'attrs') = 'object' THEN d->'attrs' ELSE '{}' END)), now(), now(), d
     FROM jsonb_array_elements($2::jsonb) AS d`,
    [tenant, JSON.stringify(docs)],
  );
}

/** The normalized shapes, what paths into them look like, and values that some of them hold. */
export const shapes = {
  entities: normalEntities,
  attrs: ATTRS,
  sub: SUB,
  values: [
    { kind: 'number', value: 5 },
    { kind: 'boolean', value: true },
    { kind: 'boolean', value: false },
    { kind: 'string', value: 'x' },
    { kind: 'uri', value: 'urn:x' },
    { kind: 'term', value: 'Male', iri: `${VOCAB}Male` },
    { kind: 'date', value: '2020-01-01' },
    { kind: 'dateTime', value: '2020-01-01T00:00:00Z' },
    { kind: 'string', value: 'x\0' },
  ] satisfies QValue[],
};
