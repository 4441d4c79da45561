import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { isoDuration } from '../../src/api/info.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openSqlClient } from '../../src/store/open.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import type { Store } from '../../src/store/port.js';

let store: Store;
let app: FastifyInstance;

before(async () => {
  const client = await openSqlClient('memory://', '');
  store = await createSqlStore(client);
  const config = (loadConfig({}, { logLevel: 'silent', iot: false }) as { config: Config }).config;
  app = await buildApp({ config, store, engine: client.engine, logger: false });
});
after(async () => {
  await app.close();
  await store.close();
});

test('isoDuration should format uptimes as ISO 8601 durations', () => {
  assert.equal(isoDuration(0), 'PT0S');
  assert.equal(isoDuration(61_000), 'PT1M1S');
  assert.equal(isoDuration(90_061_000), 'P1DT1H1M1S');
});

test('source identity should describe the broker when asked on the default tenant', async () => {
  const r = await app.inject({ url: '/ngsi-ld/v1/info/sourceIdentity' });
  assert.equal(r.statusCode, 200);
  const b = r.json();
  assert.equal(b.type, 'ContextSourceIdentity');
  assert.match(b.id, /^urn:ngsi-ld:ContextSource:/);
  assert.match(b.contextSourceUpTime, /^P(\d+D)?T/);
  assert.ok(!Number.isNaN(Date.parse(b.contextSourceTimeAt)));
  assert.equal(b.contextSourceAlias, 'mimosa');
});

test('source identity should be 404 NonexistentTenant when the tenant does not exist', async () => {
  const r = await app.inject({ url: '/ngsi-ld/v1/info/sourceIdentity', headers: { 'ngsild-tenant': 'nowhere' } });
  assert.equal(r.statusCode, 404);
  assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant');
});

test('conformance should list the implemented operations', async () => {
  const r = await app.inject({ url: '/ngsi-ld/v1/info/conformance' });
  assert.equal(r.statusCode, 200);
  assert.ok(r.json().operations.includes('createEntity'));
});

test('conformance should name the operations as clause 4.20 does when it lists them', async () => {
  const ops: string[] = (await app.inject({ url: '/ngsi-ld/v1/info/conformance' })).json().operations;
  // 5.6.2 is updateEntity and 5.6.4 updateAttrs (table 4.20-1); batch and temporal operations by their table names
  for (const op of ['updateEntity', 'updateAttrs', 'replaceAttrs', 'deleteAttrs', 'createBatch', 'mergeBatch', 'upsertTemporal', 'retrieveEntityTypeDetails']) {
    assert.ok(ops.includes(op), `${op} is missing from ${ops.join(', ')}`);
  }
  for (const made of ['updateAttr', 'replaceAttr', 'deleteAttr', 'batchCreate', 'queryEntityMap']) assert.ok(!ops.includes(made), `${made} is listed`);
  assert.equal(new Set(ops).size, ops.length, 'no operation is listed twice');
});

test('health should answer 200 with the engine when the database answers', async () => {
  const r = await app.inject({ url: '/health' });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().engine, 'pglite');
});

test('an unknown path should be a 404 ProblemDetails', async () => {
  const r = await app.inject({ url: '/ngsi-ld/v1/nothing-here' });
  assert.equal(r.statusCode, 404);
  assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
});
