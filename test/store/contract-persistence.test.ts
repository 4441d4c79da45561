/**
 * Store contract, durability of embedded PGlite with a data directory (the default when no database URL is
 * configured, src/store/open.ts). PGlite only: a PostgreSQL server's durability is the server's business. It
 * creates a database from scratch (initdb, PostGIS, every migration), about 10 s, so it is done once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Entity } from '../../src/core/entity/model.js';
import { LOCATION } from '../../src/core/entity/model.js';
import { migrate } from '../../src/store/migrations/index.js';
import { openSqlClient } from '../../src/store/open.js';
import type { StoredContext } from '../../src/store/port.js';
import { createSqlStore } from '../../src/store/sql-store.js';

const ROOT = new URL('../../', import.meta.url).pathname;

const room: Entity = {
  id: 'urn:ngsi-ld:Room:persisted-é',
  types: ['https://example.org/vocab#Room'],
  scope: ['/Madrid'],
  createdAt: '2024-01-02T03:04:05.678Z',
  modifiedAt: '2024-01-02T03:04:05.678Z',
  attrs: {
    'https://example.org/vocab#temperature': [{ type: 'Property', value: 21.5, datasetId: 'urn:ngsi-ld:Dataset:a' }],
    [LOCATION]: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [2.35, 48.85, 30] } }],
  },
};

const hosted: StoredContext = {
  id: 'persisted',
  url: 'http://localhost:1026/ngsi-ld/v1/jsonldContexts/persisted',
  kind: 'Hosted',
  body: { '@context': { zeta: 'https://z.example/', a: 'https://a.example/' } },
  createdAt: '2024-01-02T03:04:05.678Z',
  numberOfHits: 0,
};

describe('Store contract: PGlite data directory [pglite]', () => {
  it('reopen should find every entity, tenant and context when the data directory was closed', { timeout: 120_000 }, async () => {
    const dir = join(ROOT, '.tmp', `contract-datadir-${randomUUID()}`);
    try {
      const first = await createSqlStore(await openSqlClient(undefined, dir));
      try {
        await first.write('city', (tx) => tx.insert([room]));
        await first.putContext(hosted);
        await first.touchContext(hosted.id, '2024-02-03T04:05:06.000Z');
      } finally {
        await first.close();
      }

      const client = await openSqlClient(undefined, dir);
      assert.deepEqual(await migrate(client), [], 'the schema persisted too');
      const second = await createSqlStore(client);
      try {
        assert.deepEqual(await second.getEntity('city', room.id), room);
        assert.equal(await second.tenantExists('city'), true);
        assert.deepEqual(await second.listTenants(), ['city']);
        assert.deepEqual(await second.getContext(hosted.id), { ...hosted, numberOfHits: 1, lastUsage: '2024-02-03T04:05:06.000Z' });
        assert.equal(JSON.stringify((await second.getContext(hosted.id))?.body), JSON.stringify(hosted.body));
        assert.deepEqual(await second.write('city', (tx) => tx.insert([room])), new Set(), 'the id is still taken');
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
