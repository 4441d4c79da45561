/**
 * Store contract, planner statistics (src/store/statistics.ts): PGlite has no autovacuum, so the store itself
 * analyses the entity table once enough rows were written; without it, `type=X&q=…&limit=20` sorts whole types.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Entity } from '../../src/core/entity/model.js';
import { forEachEngine } from '../support/engines.js';

const T = '2024-01-02T03:04:05.678Z';
const entity = (i: number): Entity => ({
  id: `urn:stats:${String(i).padStart(5, '0')}`,
  types: ['https://example.org/Sensor'],
  createdAt: T,
  modifiedAt: T,
  attrs: { 'https://example.org/v': [{ type: 'Property', value: i }] },
});

forEachEngine('Planner statistics', (_engine, store, client) => {
  it('write should leave the entity table analysed when more than a thousand rows were written', async () => {
    const analysed = async () => {
      const [r] = await client().query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'entities' AND attname = 'types'");
      return Number(r.n) > 0;
    };
    assert.equal(await analysed(), false, 'a fresh table has no statistics');
    await store().write('', (tx) => tx.insert(Array.from({ length: 1200 }, (_, i) => entity(i))));
    // The ANALYZE runs in the background after the commit; wait for it, boundedly.
    for (let i = 0; i < 100 && !(await analysed()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await analysed(), true, 'statistics exist after 1,200 rows');
  });
});
