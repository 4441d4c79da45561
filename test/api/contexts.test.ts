import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openSqlClient } from '../../src/store/open.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import type { Store } from '../../src/store/port.js';
import { json, startContextServer, type ContextServer } from '../support/context-server.js';

const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';
const REL = 'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';

let srv: ContextServer;
let store: Store;
let app: FastifyInstance;
let flaky = 503;

before(async () => {
  srv = await startContextServer({
    '/city.jsonld': json({ '@context': { city: 'https://city.example/ns#', speed: 'city:speed', Bus: 'city:Bus' } }),
    '/nested.jsonld': json({ '@context': ['PLACEHOLDER', { extra: 'https://city.example/ns#extra' }] }),
    '/invalid.jsonld': json({ '@context': { bad: { '@id': 42 } } }),
    '/flaky.jsonld': (_q, r) => {
      if (flaky !== 200) r.writeHead(flaky).end();
      else r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ '@context': { flaky: 'https://f.example/flaky' } }));
    },
    '/hang.jsonld': () => undefined,
  });
  const client = await openSqlClient('memory://', '');
  store = await createSqlStore(client);
  const config = (loadConfig({}, { logLevel: 'silent', iot: false, contextTimeoutMs: 300 }) as { config: Config }).config;
  app = await buildApp({ config, store, engine: client.engine, logger: false });
});
after(async () => {
  await app.close();
  await store.close();
  await srv.close();
});

const link = (url: string) => ({ link: `<${url}>; ${REL}` });

describe('JSON-LD contexts', () => {
  test('create entity should expand names with a remote context when it is given by Link header', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { 'content-type': 'application/json', ...link(srv.url('/city.jsonld')) },
      payload: { id: 'urn:ngsi-ld:Bus:1', type: 'Bus', speed: { type: 'Property', value: 42 } },
    });
    assert.equal(r.statusCode, 201, r.body);
    const core = await app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1' });
    const body = core.json();
    assert.equal(body.type, 'https://city.example/ns#Bus');
    assert.deepEqual(body['https://city.example/ns#speed'], { type: 'Property', value: 42 });
    assert.match(core.headers.link as string, new RegExp(CORE.replace(/\./g, '\\.')));
    const user = await app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1', headers: link(srv.url('/city.jsonld')) });
    assert.equal(user.json().type, 'Bus');
    assert.equal(user.json().speed.value, 42);
    assert.equal(srv.hits.get('/city.jsonld'), 1, 'the remote context is fetched once and then cached');
  });

  test('list contexts should show the core URLs and the cached remote context with details', async () => {
    const list = (await app.inject({ url: '/ngsi-ld/v1/jsonldContexts' })).json() as string[];
    assert.ok(list.includes(CORE));
    assert.ok(list.includes(srv.url('/city.jsonld')));
    const details = (await app.inject({ url: '/ngsi-ld/v1/jsonldContexts?details=true&kind=Cached' })).json() as Array<Record<string, unknown>>;
    const cached = details.find((d) => d.URL === srv.url('/city.jsonld'));
    assert.ok(cached);
    assert.equal(cached.kind, 'Cached');
    assert.equal(typeof cached.localId, 'string');
    const hosted = (await app.inject({ url: '/ngsi-ld/v1/jsonldContexts?kind=Hosted' })).json() as string[];
    assert.ok(!hosted.includes(srv.url('/city.jsonld')));
  });

  test('a request should get 503 LdContextNotAvailable when its context cannot be fetched, and the failure should not be cached', async () => {
    flaky = 503;
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        headers: { 'content-type': 'application/json', ...link(srv.url('/flaky.jsonld')) },
        payload: { id: 'urn:ngsi-ld:F:1', type: 'F', flaky: 1 },
      });
    const first = await send();
    assert.equal(first.statusCode, 503);
    assert.equal(first.json().type, 'https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable');
    flaky = 200;
    const second = await send();
    assert.equal(second.statusCode, 201, second.body);
    const e = (await app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:F:1' })).json();
    assert.ok('https://f.example/flaky' in e);
  });

  test('a request should get 503 promptly when the context server never answers', async () => {
    const r = await app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1', headers: link(srv.url('/hang.jsonld')) });
    assert.equal(r.statusCode, 503);
    assert.match(r.json().detail, /no answer within 300 ms/);
  });

  test('a request should get 400 InvalidRequest when its context is not a valid JSON-LD context', async () => {
    const r = await app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1', headers: link(srv.url('/invalid.jsonld')) });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/InvalidRequest');
  });

  test('add context should host a context that requests can then use by its URL', async () => {
    const add = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/jsonldContexts',
      headers: { 'content-type': 'application/json', host: 'broker.test' },
      payload: { '@context': { parking: 'https://parking.example/', Spot: 'parking:Spot' } },
    });
    assert.equal(add.statusCode, 201, add.body);
    const location = add.headers.location as string;
    assert.match(location, /^\/ngsi-ld\/v1\/jsonldContexts\/[0-9a-f-]{36}$/);
    const served = await app.inject({ url: location });
    assert.deepEqual(served.json(), { '@context': { parking: 'https://parking.example/', Spot: 'parking:Spot' } });
    const hostedUrl = `http://broker.test${location}`;
    const create = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { 'content-type': 'application/ld+json' },
      payload: { '@context': hostedUrl, id: 'urn:ngsi-ld:Spot:1', type: 'Spot' },
    });
    assert.equal(create.statusCode, 201, create.body);
    const got = (await app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Spot:1' })).json();
    assert.equal(got.type, 'https://parking.example/Spot');
    const list = (await app.inject({ url: '/ngsi-ld/v1/jsonldContexts?kind=Hosted' })).json() as string[];
    assert.deepEqual(list, [hostedUrl]);

    const del = await app.inject({ method: 'DELETE', url: location });
    assert.equal(del.statusCode, 204);
    assert.equal((await app.inject({ url: location })).statusCode, 404);
    const after = await app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Spot:1', headers: link(hostedUrl) });
    assert.equal(after.statusCode, 503, 'a deleted hosted context is no longer available');
  });

  test('add context should reject bodies that are not a context', async () => {
    for (const payload of [{}, { '@context': 'just a string' }, [1, 2], { '@context': { bad: { '@id': 3 } } }]) {
      const r = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(r.statusCode, 400, JSON.stringify(payload));
    }
  });

  test('serve context should answer the built-in core context and refuse to delete it', async () => {
    const core = await app.inject({ url: `/ngsi-ld/v1/jsonldContexts/${encodeURIComponent(CORE)}` });
    assert.equal(core.statusCode, 200);
    assert.equal(core.json()['@context']['@vocab'], 'https://uri.etsi.org/ngsi-ld/default-context/');
    const v13 = await app.inject({ url: `/ngsi-ld/v1/jsonldContexts/${encodeURIComponent(CORE.replace('1.9', '1.3'))}` });
    assert.equal(v13.statusCode, 200);
    const del = await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/jsonldContexts/${encodeURIComponent(CORE)}` });
    assert.equal(del.statusCode, 400);
    assert.equal((await app.inject({ url: '/ngsi-ld/v1/jsonldContexts?kind=Nope' })).statusCode, 400);
  });

  test('delete context with reload should fetch a cached context again', async () => {
    const before = srv.hits.get('/city.jsonld') ?? 0;
    const r = await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/jsonldContexts/${encodeURIComponent(srv.url('/city.jsonld'))}?reload=true` });
    assert.equal(r.statusCode, 204, r.body);
    assert.equal(srv.hits.get('/city.jsonld'), before + 1);
  });

  test('ld+json requests should carry @context in the body and not in a Link header', async () => {
    const noCtx = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'content-type': 'application/ld+json' }, payload: { id: 'urn:x:1', type: 'T' } });
    assert.equal(noCtx.statusCode, 400);
    const both = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { 'content-type': 'application/ld+json', ...link(srv.url('/city.jsonld')) },
      payload: { '@context': CORE, id: 'urn:x:1', type: 'T' },
    });
    assert.equal(both.statusCode, 400);
    const jsonWithCtx = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'content-type': 'application/json' }, payload: { '@context': CORE, id: 'urn:x:1', type: 'T' } });
    assert.equal(jsonWithCtx.statusCode, 400);
  });

  test('retrieve should answer @context in the body for application/ld+json', async () => {
    const r = await app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Bus:1', headers: { accept: 'application/ld+json', ...link(srv.url('/city.jsonld')) } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'application/ld+json; charset=utf-8');
    assert.equal(r.json()['@context'], srv.url('/city.jsonld'));
    assert.equal(r.headers.link, undefined);
  });
});
