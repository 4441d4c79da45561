/**
 * Robustness of the write endpoints against arbitrary bodies (STYLE habit 2: expected failures are values, a
 * thrown error is a bug): whatever JSON a client sends to /entities, …/attrs or /entityOperations/*, the answer
 * is a 2xx or a 4xx ProblemDetails, never a 5xx. Runs are bounded to stay within seconds per engine.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { API, BATCH, describeApi, ENTITIES, entityUrl, ERRORS, send, uniqueTenant, type Method } from '../support/http.js';

const ID = 'urn:ngsi-ld:Fuzz:1';
const SUB = 'urn:ngsi-ld:Subscription:fuzz';
const NULL = 'urn:ngsi-ld:null';

// ---------------------------------------------------------------- arbitraries

/** Strings that reach edge cases: NUL and lone surrogates (which PostgreSQL text and jsonb refuse), URIs, keywords. */
const edgeString = fc.constantFrom(
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x'.repeat(300),
  NULL,
  ID,
  'urn:ngsi-ld:Fuzz:2',
  'not a uri',
  '2024-01-01T00:00:00Z',
  'Property',
  'Relationship',
  'GeoProperty',
  'LanguageProperty',
  'VocabProperty',
  'JsonProperty',
  'ListProperty',
  'ListRelationship',
  'Point',
  'Polygon',
  'GeometryCollection',
  '__proto__',
  'constructor',
  '@context',
  '@id',
  '@none',
  'en',
);
const str = fc.oneof(edgeString, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));
const num = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e308, -1e308, 180.0001, 90));
const scalar = fc.oneof(str, num, fc.boolean(), fc.constant(null));

const memberName = fc.oneof(
  fc.constantFrom(
    'type',
    'value',
    'object',
    'objectType',
    'languageMap',
    'vocab',
    'json',
    'valueList',
    'objectList',
    'datasetId',
    'observedAt',
    'unitCode',
    'createdAt',
    'modifiedAt',
    'coordinates',
    'geometries',
    'id',
    'scope',
    '@context',
    '__proto__',
  ),
  str,
);

/** Loosely NGSI-LD-shaped JSON: objects keyed by keywords and names, with geometry-ish arrays. */
const shaped: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(num, { maxLength: 4 }),
    fc.array(fc.array(fc.array(num, { maxLength: 3 }), { maxLength: 5 }), { maxLength: 2 }),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(memberName, tie('node'), { maxKeys: 5 }),
  ),
})).node;

const entityLike = fc
  .record(
    {
      id: fc.oneof(fc.constant(ID), fc.constant('urn:ngsi-ld:Fuzz:2'), str),
      type: fc.oneof(fc.constant('Fuzz'), fc.array(str, { maxLength: 2 }), str),
      scope: fc.oneof(fc.constant('/a/b'), str, fc.array(str, { maxLength: 2 })),
      '@context': fc.oneof(fc.constant('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld'), fc.dictionary(str, str, { maxKeys: 2 }), scalar),
    },
    { requiredKeys: [] },
  )
  .chain((head) => fc.dictionary(memberName, shaped, { maxKeys: 4 }).map((attrs) => ({ ...attrs, ...head })));

/** Subscription-shaped objects (clause 5.2.12) with fuzzed members. */
const subscriptionLike = fc.record(
  {
    type: fc.oneof(fc.constant('Subscription'), str),
    entities: fc.oneof(fc.constant([{ type: 'Fuzz' }]), fc.array(fc.dictionary(fc.constantFrom('id', 'idPattern', 'type'), fc.oneof(str, scalar), { maxKeys: 3 }), { maxLength: 2 }), shaped),
    watchedAttributes: fc.oneof(fc.array(str, { maxLength: 3 }), shaped),
    notificationTrigger: fc.oneof(fc.array(fc.constantFrom('entityCreated', 'attributeUpdated', 'nonsense'), { maxLength: 3 }), shaped),
    q: fc.oneof(fc.constant('temperature>20'), str),
    geoQ: fc.oneof(fc.constant({ geometry: 'Point', coordinates: [0, 0], georel: 'near;maxDistance==10' }), shaped),
    scopeQ: str,
    timeInterval: fc.oneof(num, str),
    throttling: fc.oneof(num, str),
    expiresAt: fc.oneof(fc.constant('2099-01-01T00:00:00Z'), str),
    isActive: scalar,
    notification: fc.oneof(
      fc.record(
        {
          format: fc.constantFrom('normalized', 'keyValues', 'concise', 'x'),
          showChanges: scalar,
          attributes: fc.oneof(fc.array(str, { maxLength: 2 }), shaped),
          endpoint: fc.oneof(
            fc.record({ uri: fc.oneof(fc.constant('http://127.0.0.1:9/n'), fc.constant('mqtt://127.0.0.1:9/t'), str), accept: str, receiverInfo: shaped, notifierInfo: shaped, timeout: num }, { requiredKeys: ['uri'] }),
            shaped,
          ),
        },
        { requiredKeys: ['endpoint'] },
      ),
      shaped,
    ),
  },
  { requiredKeys: [] },
);

/** A body: any JSON, an entity-like or subscription-like object, or an array of those (batch bodies). */
const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }), entityLike, subscriptionLike, fc.array(fc.oneof(entityLike, str), { maxLength: 4 }), shaped);
const contentType = fc.constantFrom('application/json', 'application/ld+json', 'application/merge-patch+json');

// ---------------------------------------------------------------- the property

function assertNot5xx(res: LightMyRequestResponse, what: string): void {
  assert.ok(res.statusCode < 500, `${what} → ${res.statusCode} ${res.body.slice(0, 500)}`);
  if (res.statusCode >= 400) {
    const p = res.json() as { type?: string; detail?: string };
    assert.ok(p.type?.startsWith(ERRORS), `${what} → ${res.statusCode} without an ETSI type: ${res.body.slice(0, 300)}`);
    assert.ok(typeof p.detail === 'string' && p.detail.length > 0, `${what} → no detail`);
  }
}

describeApi('Write endpoints under arbitrary bodies', (h) => {
  const tenant = uniqueTenant('fuzz');
  const headers = (type: string) => ({ 'ngsild-tenant': tenant, 'content-type': type });

  before(async () => {
    const res = await send(h().app, 'POST', ENTITIES, { id: ID, type: 'Fuzz', temperature: 1, location: { type: 'Point', coordinates: [0, 0] } }, { 'ngsild-tenant': tenant });
    assert.equal(res.statusCode, 201, res.body);
    const sub = { id: SUB, type: 'Subscription', entities: [{ type: 'Fuzz' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } } };
    const created = await send(h().app, 'POST', `${API}/subscriptions`, sub, { 'ngsild-tenant': tenant });
    assert.equal(created.statusCode, 201, created.body);
  });

  const targets: Array<[Method, string]> = [
    ['POST', ENTITIES],
    ['PATCH', entityUrl(ID, '/attrs')],
    ['POST', entityUrl(ID, '/attrs')],
    ['PATCH', entityUrl(ID)],
    ['PUT', entityUrl(ID)],
    ['PATCH', entityUrl(ID, '/attrs/temperature')],
    ['PUT', entityUrl(ID, '/attrs/temperature')],
    ['POST', `${BATCH}/create`],
    ['POST', `${BATCH}/upsert`],
    ['POST', `${BATCH}/upsert?options=update`],
    ['POST', `${BATCH}/update`],
    ['POST', `${BATCH}/merge`],
    ['POST', `${BATCH}/delete`],
    ['POST', `${BATCH}/query`],
    ['POST', `${API}/subscriptions`],
    ['PATCH', `${API}/subscriptions/${encodeURIComponent(SUB)}`],
  ];

  it('every write endpoint should answer below 500 when the body is arbitrary JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), body, contentType, async ([method, url], b, type) => {
        const res = await send(h().app, method, url, JSON.stringify(b), headers(type));
        assertNot5xx(res, `${method} ${url} ${type} ${JSON.stringify(b).slice(0, 300)}`);
      }),
      { numRuns: 400 },
    );
  });

  it('every write endpoint should answer 400 BadRequestData when the body is nested deeper than 128 levels', async () => {
    // 5,000 levels used to overflow the stack after parsing (a 500); the limit is applied to every JSON body.
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const bodyFor = (url: string) => (url.startsWith(BATCH) && !url.endsWith('/query') ? `[{"id":"${ID}","type":"Fuzz","deepProbe":${deep}}]` : `{"type":"Fuzz","deepProbe":${deep}}`);
    for (const [method, url] of targets) {
      const res = await send(h().app, method, url, bodyFor(url), headers('application/json'));
      assert.equal(res.statusCode, 400, `${method} ${url} → ${res.statusCode} ${res.body.slice(0, 300)}`);
      assert.match(String(res.json().detail), /nested deeper than 128 levels/, `${method} ${url}`);
    }
    const kept = await h().app.inject({ method: 'GET', url: `${entityUrl(ID)}?options=keyValues`, headers: { 'ngsild-tenant': tenant } });
    assert.equal(kept.json().deepProbe, undefined, 'nothing was written');
  });

  it('every write endpoint should answer below 500 when the body is not even JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.string({ maxLength: 40 }), contentType, async ([method, url], raw, type) => {
        const res = await send(h().app, method, url, raw, headers(type));
        assertNot5xx(res, `${method} ${url} ${JSON.stringify(raw)}`);
      }),
      { numRuns: 100 },
    );
  });

  it('retrieval should answer below 500 when the query string is arbitrary', async () => {
    const param = fc.constantFrom('type', 'attrs', 'pick', 'omit', 'options', 'format', 'lang', 'limit', 'offset', 'count', 'idPattern', 'id', 'datasetId', 'geometryProperty', 'q');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(param, str, { maxKeys: 3 }), fc.boolean(), async (q, one) => {
        const qs = new URLSearchParams(q as Record<string, string>).toString();
        const url = one ? `${entityUrl(ID)}?${qs}` : `${ENTITIES}?${qs}`;
        const res = await h().app.inject({ method: 'GET', url, headers: { 'ngsild-tenant': tenant } });
        assertNot5xx(res, `GET ${url}`);
      }),
      { numRuns: 150 },
    );
  });
});
