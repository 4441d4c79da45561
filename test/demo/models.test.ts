/**
 * The demo city's entities against the Smart Data Models they are named after (OASC MIM2): each one, with its
 * readings at several hours, is judged by POST /mimosa/v1/validate with the models of ../shared/smart-data-models.
 * The demo writes bare names (the default vocabulary), which the model of that name governs.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { demoThings } from '../../src/demo/catalogue.js';
import { entityOf } from '../../src/demo/documents.js';
import { moment } from '../../src/demo/readings.js';
import { openTestStore } from '../support/engines.js';
import { buildTestApp, send } from '../support/http.js';
import { SDM_DIR } from '../support/models.js';

const missing = existsSync(SDM_DIR) ? undefined : `no Smart Data Models copy at ${SDM_DIR}`;

describe('demo city entities', { skip: missing }, () => {
  let app: FastifyInstance;
  let dispose: () => Promise<void>;
  before(async () => {
    const opened = await openTestStore('pglite');
    dispose = opened.dispose;
    app = await buildTestApp(opened.store, { modelsDir: SDM_DIR });
  });
  after(async () => {
    await app?.close();
    await dispose?.();
  });

  it('every demo entity should conform to its Smart Data Model at any hour', async () => {
    const things = demoThings(8);
    const types = new Set<string>();
    for (const iso of ['2025-03-11T02:00:00Z', '2025-03-11T07:15:00Z', '2025-07-05T19:40:00Z']) {
      const m = moment(new Date(iso), 8);
      for (const t of things.filter((x) => x.index < 3)) {
        const res = await send(app, 'POST', '/mimosa/v1/validate', entityOf(t, m));
        if (res.statusCode === 404) continue; // no copied model governs this type
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json() as { conforms: boolean; results: unknown[] };
        assert.ok(body.conforms, `${t.entityId} at ${iso}: ${JSON.stringify(body.results)}`);
        types.add(t.kind.type);
      }
    }
    assert.ok(types.size >= 9, `judged: ${[...types].join(', ')}`);
  });
});
