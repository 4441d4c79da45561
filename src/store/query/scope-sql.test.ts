/**
 * scopeSql (clause 4.19) on every engine: exact scopes, `+`, `/#` after a scope and alone, `;` and `|`, scopes
 * stored without their optional leading `/` (clause 4.18), and level names holding characters that are
 * wildcards in LIKE or regular expressions.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import { forEachEngine } from '../../../test/support/engines.js';
import type { Entity } from '../../core/entity/model.js';
import { parseScopeQuery, type ScopeExpr } from '../../core/query/scope-query.js';
import { SqlParams } from '../sql-params.js';
import { scopeSql } from './scope-sql.js';

const T0 = '2024-05-01T10:00:00Z';

function entity(id: string, scope?: string[]): Entity {
  return { id, types: ['https://example.org/Place'], ...(scope ? { scope } : {}), createdAt: T0, modifiedAt: T0, attrs: {} };
}

const fixture = [
  entity('urn:s:madrid', ['/Madrid']),
  entity('urn:s:gardens', ['/Madrid/Gardens']),
  entity('urn:s:parqueNorte', ['/Madrid/Gardens/ParqueNorte']),
  entity('urn:s:lake', ['/Madrid/Gardens/ParqueNorte/Lake']),
  entity('urn:s:retiro', ['/Madrid/Gardens/Retiro', '/CompanyA']),
  entity('urn:s:districtsA', ['/Madrid/Districts', '/CompanyA']),
  // A sibling whose name starts with another's: a prefix test on text would take it for a descendant.
  entity('urn:s:madridNorte', ['/MadridNorte/Gardens']),
  // The leading "/" is optional in a scope (clause 4.18).
  entity('urn:s:companyB', ['CompanyB']),
  entity('urn:s:zona_1', ['/Città/Zona_1']),
  entity('urn:s:zonaX1', ['/Città/ZonaX1']),
  // Not valid scopes (the parser refuses them), written straight to the store to test escaping.
  entity('urn:s:zonaPercent1', ['/Città/Zona%1']),
  entity('urn:s:zonaDot1', ['/Città/Zona.1']),
  entity('urn:s:unscoped'),
];

const scoped = fixture.filter((e) => e.scope).map((e) => e.id);

function q(text: string): ScopeExpr {
  const r = parseScopeQuery(text);
  if (!r.ok) assert.fail(`${text}: ${r.problem.detail}`);
  return r.value;
}
const atom = (levels: string[], descendants = false): ScopeExpr => ({ kind: 'scope', levels, descendants });

forEachEngine('scopeSql (clause 4.19)', (_engine, store, client) => {
  const tenant = `scope-${randomUUID()}`;

  before(async () => {
    await store().write(tenant, (tx) => tx.insert(fixture));
  });

  async function ids(e: ScopeExpr, t = tenant): Promise<string[]> {
    const p = new SqlParams();
    const sql = `SELECT e.id FROM entities AS e WHERE e.tenant = ${p.add(t)} AND ${scopeSql(e, p, 'e')} `;
    // Sorted here: the order of ids with `_` and capitals depends on the database's collation.
    return (await client().query<{ id: string }>(sql, p.values)).map((r) => r.id).sort();
  }
  const expect = async (text: string, expected: string[]) => assert.deepEqual(await ids(q(text)), [...expected].sort(), text);

  it('scopeQ should match the scope itself only when given a scope (example 1)', async () => {
    await expect('/Madrid/Gardens/ParqueNorte', ['urn:s:parqueNorte']);
    await expect('/Madrid', ['urn:s:madrid']);
    await expect('/Madrid/Gardens/Nowhere', []);
  });

  it('scopeQ should match the scope and every scope below it when the scope ends with /# (example 2)', async () => {
    await expect('/Madrid/Gardens/#', ['urn:s:gardens', 'urn:s:parqueNorte', 'urn:s:lake', 'urn:s:retiro']);
    await expect('/Madrid/#', ['urn:s:madrid', 'urn:s:gardens', 'urn:s:parqueNorte', 'urn:s:lake', 'urn:s:retiro', 'urn:s:districtsA']);
    await expect('/MadridNorte/#', ['urn:s:madridNorte']);
  });

  it('scopeQ should match exactly one level in place of + when the scope holds + (example 3)', async () => {
    await expect('/Madrid/+/ParqueNorte', ['urn:s:parqueNorte']);
    await expect('/+/Gardens', ['urn:s:gardens', 'urn:s:madridNorte']);
    await expect('/Madrid/+', ['urn:s:gardens', 'urn:s:districtsA']);
    await expect('/+', ['urn:s:madrid', 'urn:s:retiro', 'urn:s:districtsA', 'urn:s:companyB']);
    await expect('/+/+/+/+', ['urn:s:lake']);
  });

  it('scopeQ should match one level and all below it, but not the scope above, when + is followed by /#', async () => {
    await expect('/Madrid/+/#', ['urn:s:gardens', 'urn:s:parqueNorte', 'urn:s:lake', 'urn:s:retiro', 'urn:s:districtsA']);
    await expect('/+/Gardens/+/#', ['urn:s:parqueNorte', 'urn:s:lake', 'urn:s:retiro']);
  });

  it('scopeQ should match every entity that has a scope when given /# alone', async () => {
    await expect('/#', scoped);
  });

  it('scopeQ should match entities holding all the scopes when they are joined by ; (example 4)', async () => {
    await expect('(/Madrid/Districts;/CompanyA)', ['urn:s:districtsA']);
    await expect('(/Madrid/#;/CompanyA)', ['urn:s:retiro', 'urn:s:districtsA']);
    await expect('(/Madrid/+/Retiro;/CompanyA)', ['urn:s:retiro']);
    await expect('(/Madrid/Districts;/CompanyB)', []);
  });

  it('scopeQ should match entities holding any of the scopes when they are joined by | or , (example 5)', async () => {
    await expect('(/Madrid/Districts;/CompanyA)|/CompanyB', ['urn:s:districtsA', 'urn:s:companyB']);
    await expect('(/Madrid/Districts;/CompanyA),/CompanyB', ['urn:s:districtsA', 'urn:s:companyB']);
    await expect('/Madrid/+/Retiro|/CompanyB|/Città/#', [
      'urn:s:retiro',
      'urn:s:companyB',
      'urn:s:zona_1',
      'urn:s:zonaX1',
      'urn:s:zonaPercent1',
      'urn:s:zonaDot1',
    ]);
    await expect('((/Madrid/#;/CompanyA)|/Città/Zona_1);/+/#', ['urn:s:retiro', 'urn:s:districtsA', 'urn:s:zona_1']);
  });

  it('scopeQ should match a scope stored without its leading / and vice versa', async () => {
    await expect('/CompanyB', ['urn:s:companyB']);
    await expect('CompanyB', ['urn:s:companyB']);
    await expect('CompanyA', ['urn:s:retiro', 'urn:s:districtsA']);
    await expect('/+|CompanyB/#', ['urn:s:madrid', 'urn:s:retiro', 'urn:s:districtsA', 'urn:s:companyB']);
  });

  it('scopeQ should take _ as itself and match unicode levels when a level is Zona_1 in Città', async () => {
    await expect('/Città/Zona_1', ['urn:s:zona_1']);
    await expect('/+/Zona_1', ['urn:s:zona_1']);
    await expect('/Città/+', ['urn:s:zona_1', 'urn:s:zonaX1', 'urn:s:zonaPercent1', 'urn:s:zonaDot1']);
  });

  it('scopeSql should take % and . as themselves when a level holds them', async () => {
    assert.deepEqual(await ids(atom(['Città', 'Zona%1'])), ['urn:s:zonaPercent1']);
    assert.deepEqual(await ids(atom(['+', 'Zona%1'])), ['urn:s:zonaPercent1']);
    assert.deepEqual(await ids(atom(['+', 'Zona.1'])), ['urn:s:zonaDot1']);
    assert.deepEqual(await ids(atom(['+', 'Zona.*'], true)), []);
  });

  it('scopeSql should let the planner use the GIN index on scope keys when 10 000 entities have scopes', async () => {
    // Written in SQL, which is faster than the store on PGlite; the scopes are what the index is about.
    const bulk = `scope-bulk-${randomUUID()}`;
    await client().query(
      `INSERT INTO entities (tenant, id, types, scopes, attr_names, created_at, modified_at, doc)
       SELECT $1, 'urn:bulk:' || i, ARRAY['T'], ARRAY['/City' || (i % 100) || '/D' || (i % 7) || '/Zone' || i, 'Company' || (i % 50)],
              '{}', now(), now(), jsonb_build_object('id', 'urn:bulk:' || i)
       FROM generate_series(0, 9999) AS i`,
      [bulk],
    );
    // Statistics of the columns the plan turns on; the whole table would take seconds on PGlite.
    await client().query('ANALYZE entities (tenant, scopes)');
    const plan = async (text: string) => {
      const p = new SqlParams();
      const where = `e.tenant = ${p.add(bulk)} AND ${scopeSql(q(text), p, 'e')}`;
      const sql = `EXPLAIN SELECT e.doc FROM entities AS e WHERE ${where} ORDER BY e.id LIMIT ${p.add(100)} OFFSET ${p.add(0)}`;
      return (await client().query<Record<string, string>>(sql, p.values)).map((r) => Object.values(r)[0]).join('\n');
    };
    for (const text of ['/City5/D5/Zone5', '/City5/#', '/City5/+/Zone105', '/Company7|/City8/D1/#', '(/City5/#;/Company5)']) {
      assert.match(await plan(text), /\bentities_scope_keys\b/, text);
    }
    assert.deepEqual(await ids(q('/City5/+/Zone105'), bulk), ['urn:bulk:105']);
    assert.equal((await ids(q('(/City5/#;/Company5)'), bulk)).length, 100);
  });

  it('queryEntities should apply the scope query when the selection carries one', async () => {
    const r = await store().queryEntities(tenant, { scopeQ: q('/Madrid/Gardens/#'), limit: 2, offset: 1, count: true });
    assert.deepEqual(
      r.entities.map((e) => e.id),
      ['urn:s:lake', 'urn:s:parqueNorte'],
    );
    assert.equal(r.count, 4);
  });
});
