/**
 * The portal's server side without a browser: the bundle served with the right types and caching, page routes
 * answering index.html without ever shadowing the APIs, the OpenAPI document and the tenant list.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openTestStore } from '../support/engines.js';
import { API, assertProblem, buildTestApp, ENTITIES, send, uniqueTenant } from '../support/http.js';
import { BUNDLE, ensureBundle } from './support.js';

describe('Portal static files', () => {
  let app: FastifyInstance;
  let dispose: () => Promise<void>;
  before(async () => {
    ensureBundle();
    const opened = await openTestStore('pglite');
    dispose = opened.dispose;
    app = await buildTestApp(opened.store);
  });
  after(async () => {
    await app.close();
    await dispose();
  });
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const script = () => /src="(\/assets\/[^"]+\.js)"/.exec(readFileSync(`${BUNDLE}/index.html`, 'utf8'))![1];

  it('GET / should answer the page, revalidated on each load, when the bundle is built', async () => {
    const res = await get('/');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.body, /<div id="app">/);
  });

  it('page routes should answer index.html when the front end routes them', async () => {
    for (const path of ['/explore?type=ParkingSpot', '/entity/urn%3Angsi-ld%3AParkingSpot%3A1', '/catalogue', '/api-reference', '/operator/subscriptions', '/operator/devices']) {
      const res = await get(path);
      assert.equal(res.statusCode, 200, path);
      assert.match(res.body, /<div id="app">/, path);
    }
  });

  it('hashed assets should be served with their type and cached for a year, compressed when accepted', async () => {
    const res = await get(script(), { 'accept-encoding': 'gzip, br' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['content-encoding'], 'gzip');
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(readFileSync(`${BUNDLE}/index.html`, 'utf8'))![1];
    assert.equal((await get(css)).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await get('/favicon.svg')).headers['content-type'], 'image/svg+xml');
  });

  it('an asset should answer 304 when its ETag is presented', async () => {
    const first = await get(script());
    const again = await get(script(), { 'if-none-match': String(first.headers.etag) });
    assert.equal(again.statusCode, 304);
  });

  it('an unknown asset should be a 404 ProblemDetails when nothing in the bundle has its path', async () => {
    assertProblem(await get('/assets/nothing-here.js'), 404, 'ResourceNotFound');
    assertProblem(await get('/assets/../../package.json'), 404, 'ResourceNotFound');
  });

  it('API paths should keep their own answers when the portal is served', async () => {
    const missing = await get(`${ENTITIES}/urn:ngsi-ld:Thing:none`);
    assertProblem(missing, 404, 'ResourceNotFound');
    assertProblem(await get(`${API}/nothing`), 404, 'ResourceNotFound');
    assertProblem(await get('/no-such-page'), 404, 'ResourceNotFound');
    assertProblem(await get('/mimosa/nothing'), 404, 'ResourceNotFound');
    assert.equal((await get('/health')).statusCode, 200);
    assert.match(String((await get(`${API}/types`)).headers['content-type']), /^application\/json/);
  });

  it('GET /mimosa/openapi.json should answer the NGSI-LD OpenAPI document with Mimosa routes added', async () => {
    const res = await get('/mimosa/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.0.3');
    assert.deepEqual(doc.servers, [{ url: '/ngsi-ld/v1' }]);
    assert.ok(doc.paths['/entities'].get);
    assert.ok(doc.paths['/temporal/entities/{entityId}'].get);
    assert.deepEqual(doc.paths['/health'].servers, [{ url: '/' }]);
    const names = (doc.paths['/temporal/entities'].get.parameters as { $ref?: string }[]).filter((p) => /Query\.options/.test(p.$ref ?? ''));
    assert.equal(names.length, 1, 'the duplicated options parameter is kept once');
  });

  it('GET /mimosa/portal/tenants should list the default tenant and the tenants written to', async () => {
    const tenant = uniqueTenant('portal');
    const created = await send(app, 'POST', ENTITIES, { id: 'urn:ngsi-ld:Thing:t1', type: 'Thing' }, { 'NGSILD-Tenant': tenant });
    assert.equal(created.statusCode, 201);
    const list = (await get('/mimosa/portal/tenants')).json();
    assert.equal(list[0], '');
    assert.ok(list.includes(tenant));
  });
});

describe('Portal disabled', () => {
  it('GET / should be a 404 when MIMOSA_PORTAL is false', async () => {
    const opened = await openTestStore('pglite');
    const app = await buildTestApp(opened.store, { portal: false });
    try {
      assertProblem(await app.inject({ method: 'GET', url: '/' }), 404, 'ResourceNotFound');
    } finally {
      await app.close();
      await opened.dispose();
    }
  });
});
