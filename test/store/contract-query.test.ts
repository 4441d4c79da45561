/**
 * Store contract, queryEntities (src/store/port.ts EntityQuery; selection of clause 5.7.2), run on every engine:
 * selection by type expression (clause 4.17), ids, idPattern, attributes and EntitySelectors (clause 5.2.33);
 * pages in id order without overlap or gap; counts; and data the database refuses, which must come back as a
 * StoreQueryError (a 400 at the edge), never as a raw database error, with nothing written.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import pg from 'pg';
import type { Entity } from '../../src/core/entity/model.js';
import type { TypeExpr } from '../../src/core/query/type-expr.js';
import { StoreQueryError } from '../../src/store/errors.js';
import { openPostgres } from '../../src/store/engines/postgres.js';
import type { EntitySelection } from '../../src/store/port.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import { forEachEngine, TEST_DATABASE_URL } from '../support/engines.js';

const V = 'https://example.org/vocab#';
const T1 = '2024-01-02T03:04:05.678Z';
const [A, B, C] = [`${V}A`, `${V}B`, `${V}C`];
const [X, Y] = [`${V}x`, `${V}y`];

const type = (iri: string): TypeExpr => ({ kind: 'type', iri });
const or = (...items: TypeExpr[]): TypeExpr => ({ kind: 'or', items });
const and = (...items: TypeExpr[]): TypeExpr => ({ kind: 'and', items });

function entity(id: string, types: string[], attrs: string[] = []): Entity {
  return { id, types, createdAt: T1, modifiedAt: T1, attrs: Object.fromEntries(attrs.map((a) => [a, [{ type: 'Property', value: id }]])) };
}

/** The selection fixture: every combination of three types, attributes x and y spread over them. */
const fixture = [
  entity('urn:q:1', [A], [X]),
  entity('urn:q:2', [B], [Y]),
  entity('urn:q:3', [A, B], [X, Y]),
  entity('urn:q:4', [C]),
  entity('urn:q:5', [A, C], [X]),
  entity('urn:q:6', [B, C]),
  entity('urn:q:7', [A, B, C], [X]),
];

/** Ids of mixed case and punctuation: "id order" must be the same code-point order on every engine. */
const pageIds = [
  ...Array.from({ length: 17 }, (_, i) => `urn:page:${String(i).padStart(2, '0')}`),
  'urn:page:A',
  'urn:page:a',
  'urn:page:B',
  'urn:page:_x',
  'urn:page:-x',
  'urn:page:~',
];

forEachEngine('Store contract: queryEntities', (engine, store) => {
  const tenant = `contract-query-${randomUUID()}`;
  const pages = `contract-pages-${randomUUID()}`;

  before(async () => {
    await store().write(tenant, (tx) => tx.insert(fixture));
    // Inserted out of order, so that only ORDER BY can give id order.
    await store().write(pages, (tx) => tx.insert([...pageIds].reverse().map((id) => entity(id, [A]))));
  });

  async function ids(selection: EntitySelection): Promise<string[]> {
    const { entities } = await store().queryEntities(tenant, { ...selection, limit: 100, offset: 0, count: false });
    return entities.map((e) => e.id);
  }

  it('queryEntities should select the entities of a type when type is one type', async () => {
    assert.deepEqual(await ids({ type: type(A) }), ['urn:q:1', 'urn:q:3', 'urn:q:5', 'urn:q:7']);
  });

  it('queryEntities should select entities having any of the types when type is an or', async () => {
    assert.deepEqual(await ids({ type: or(type(A), type(B)) }), ['urn:q:1', 'urn:q:2', 'urn:q:3', 'urn:q:5', 'urn:q:6', 'urn:q:7']);
  });

  it('queryEntities should select entities having all the types when type is an and', async () => {
    assert.deepEqual(await ids({ type: and(type(A), type(B)) }), ['urn:q:3', 'urn:q:7']);
  });

  it('queryEntities should honour nesting when type mixes and and or', async () => {
    assert.deepEqual(await ids({ type: or(and(type(A), type(B)), type(C)) }), ['urn:q:3', 'urn:q:4', 'urn:q:5', 'urn:q:6', 'urn:q:7']);
    assert.deepEqual(await ids({ type: and(type(C), or(type(A), type(B))) }), ['urn:q:5', 'urn:q:6', 'urn:q:7']);
  });

  it('queryEntities should select nothing when the type is unknown', async () => {
    assert.deepEqual(await ids({ type: type(`${V}Unknown`) }), []);
  });

  it('queryEntities should select the listed entities that exist when ids are given', async () => {
    assert.deepEqual(await ids({ ids: ['urn:q:6', 'urn:q:2', 'urn:q:missing'] }), ['urn:q:2', 'urn:q:6']);
    assert.deepEqual(await ids({ ids: ['urn:q:6', 'urn:q:2', 'urn:q:5'], type: type(A) }), ['urn:q:5'], 'ids and type combine with AND');
  });

  it('queryEntities should select ids matching a regular expression when idPattern is given', async () => {
    assert.deepEqual(await ids({ idPattern: '^urn:q:[2-4]$' }), ['urn:q:2', 'urn:q:3', 'urn:q:4']);
    assert.deepEqual(await ids({ idPattern: '[57]' }), ['urn:q:5', 'urn:q:7'], 'an unanchored pattern matches anywhere');
    assert.deepEqual(await ids({ idPattern: '^urn:q:[2-4]$', type: type(C) }), ['urn:q:4']);
  });

  it('queryEntities should select entities having at least one of the attributes when attrs is given', async () => {
    assert.deepEqual(await ids({ attrs: [Y] }), ['urn:q:2', 'urn:q:3']);
    assert.deepEqual(await ids({ attrs: [X, Y] }), ['urn:q:1', 'urn:q:2', 'urn:q:3', 'urn:q:5', 'urn:q:7']);
    assert.deepEqual(await ids({ attrs: [`${V}none`] }), []);
  });

  it('queryEntities should select entities matching any selector when entities are given', async () => {
    const selection = { entities: [{ type: type(A), idPattern: '[1-4]$' }, { id: 'urn:q:6' }, { id: 'urn:q:2', type: type(A) }] };
    assert.deepEqual(await ids(selection), ['urn:q:1', 'urn:q:3', 'urn:q:6']);
  });

  it('queryEntities should page in id order with no overlap and no gap when limit and offset walk the selection', async () => {
    const expected = [...pageIds].sort();
    const seen: string[] = [];
    for (let offset = 0; offset < pageIds.length; offset += 5) {
      const page = await store().queryEntities(pages, { limit: 5, offset, count: true });
      assert.equal(page.count, pageIds.length, 'count is the whole selection, not the page');
      assert.equal(page.entities.length, Math.min(5, pageIds.length - offset));
      seen.push(...page.entities.map((e) => e.id));
    }
    assert.deepEqual(seen, expected);
    const beyond = await store().queryEntities(pages, { limit: 5, offset: pageIds.length, count: true });
    assert.deepEqual(beyond, { entities: [], count: pageIds.length });
  });

  it(
    'queryEntities should page in the same code-point id order as PGlite when the PostgreSQL database collation is not C',
    { skip: engine === 'pglite' && "PGlite's databases always collate as C" },
    async () => {
      // Many servers create databases in the OS locale (en_US.UTF-8 on most distributions): pages must not depend on it.
      const name = `mimosa_test_collation_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
        const url = new URL(TEST_DATABASE_URL);
        url.pathname = `/${name}`;
        const localised = await createSqlStore(await openPostgres(url.toString(), { poolSize: 2 }));
        try {
          await localised.write('t', (tx) => tx.insert(pageIds.map((id) => entity(id, [A]))));
          const { entities } = await localised.queryEntities('t', { limit: 100, offset: 0, count: false });
          assert.deepEqual(entities.map((e) => e.id), [...pageIds].sort());
        } finally {
          await localised.close();
        }
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    },
  );

  it('queryEntities should return the count and no entity when limit is 0', async () => {
    assert.deepEqual(await store().queryEntities(tenant, { limit: 0, offset: 0, count: true }), { entities: [], count: fixture.length });
    assert.deepEqual(await store().queryEntities(tenant, { type: type(C), limit: 0, offset: 0, count: true }), { entities: [], count: 4 });
  });

  it('queryEntities should return no count when count is false', async () => {
    const result = await store().queryEntities(tenant, { type: type(C), limit: 1, offset: 0, count: false });
    assert.deepEqual(result, { entities: [fixture[3]] });
  });

  it('queryEntities should reject with StoreQueryError when idPattern is not a valid regular expression', async () => {
    for (const idPattern of ['(', '[a-', '*']) {
      await assert.rejects(store().queryEntities(tenant, { idPattern, limit: 10, offset: 0, count: true }), StoreQueryError, idPattern);
      await assert.rejects(store().queryEntities(tenant, { idPattern, limit: 0, offset: 0, count: true }), StoreQueryError, `${idPattern} (count only)`);
    }
    const inSelector = { entities: [{ idPattern: '(' }], limit: 10, offset: 0, count: false };
    await assert.rejects(store().queryEntities(tenant, inSelector), StoreQueryError);
  });

  it('insert should reject with StoreQueryError and write nothing when an attribute value holds U+0000', async () => {
    const t = `contract-nul-${randomUUID()}`;
    const good = entity('urn:good:1', [A], [X]);
    const bad: Entity = { ...entity('urn:bad:1', [A]), attrs: { [X]: [{ type: 'Property', value: 'before\u0000after' }] } };
    await assert.rejects(
      store().write(t, (tx) => tx.insert([good, bad])),
      (e) => e instanceof StoreQueryError && /U\+0000/.test(e.message),
    );
    assert.equal(await store().getEntity(t, good.id), undefined);
    assert.equal(await store().tenantExists(t), false);
  });

  it('insert and update should reject with StoreQueryError when a string holds U+0000 or an unpaired surrogate', async () => {
    const t = `contract-nul-${randomUUID()}`;
    await store().write(t, (tx) => tx.insert([entity('urn:ok:1', [A])]));
    const poisoned: Entity[] = [
      { ...entity('urn:bad:nul-in-name', [A]), attrs: { [`${V}na\u0000me`]: [{ type: 'Property', value: 1 }] } },
      entity('urn:bad:nul-in-type', [`${V}Ty\u0000pe`]),
      { ...entity('urn:bad:lone-surrogate', [A]), attrs: { [X]: [{ type: 'Property', value: 'half \ud800 pair' }] } },
    ];
    for (const e of poisoned) {
      await assert.rejects(store().write(t, (tx) => tx.insert([e])), StoreQueryError, `insert ${e.id}`);
      assert.equal(await store().getEntity(t, e.id), undefined);
      await assert.rejects(store().write(t, (tx) => tx.update([{ ...e, id: 'urn:ok:1' }])), StoreQueryError, `update with ${e.id}`);
    }
    assert.deepEqual(await store().getEntity(t, 'urn:ok:1'), entity('urn:ok:1', [A]));
  });
});
