/**
 * Create Entity (ETSI GS CIM 009 V1.8.1 clause 5.6.1) over HTTP, in-process, on every storage engine:
 * status codes, Location, every attribute kind, @context handling (clause 6.3.5) and request-level errors.
 * Every error is a ProblemDetails (clause 5.5.2) with the ETSI type URI, never a 500.
 */
import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { it } from 'node:test';
import {
  assertProblem,
  buildTestApp,
  CORE_CONTEXT,
  DEFAULT_VOCAB,
  describeApi,
  ENTITIES,
  entityUrl,
  getEntity,
  hostContext,
  linkHeader,
  send,
  uniqueId,
} from '../support/http.js';

const point = { type: 'Point', coordinates: [2.35, 48.85] };
const square = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };

describeApi('Create Entity (5.6.1)', (h) => {
  it('create should answer 201 with a relative Location when the entity is new', async () => {
    const id = uniqueId('Room');
    const res = await send(h().app, 'POST', ENTITIES, { id, type: 'Room', temperature: { type: 'Property', value: 21 } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`);
    assert.equal(res.body, '');
    const e = await getEntity(h().app, id);
    assert.deepEqual(e, { id, type: 'Room', temperature: { type: 'Property', value: 21 } });
  });

  it('create should URL-encode the Location when the id holds reserved characters', async () => {
    const id = `${uniqueId('Odd')}/a?b#c`;
    const res = await send(h().app, 'POST', ENTITIES, { id, type: 'Odd' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`);
    const back = await h().app.inject({ method: 'GET', url: String(res.headers.location) });
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().id, id);
  });

  it('create should answer 409 AlreadyExists when the id already exists', async () => {
    const id = uniqueId('Room');
    assert.equal((await send(h().app, 'POST', ENTITIES, { id, type: 'Room', a: 1 })).statusCode, 201);
    const res = await send(h().app, 'POST', ENTITIES, { id, type: 'Other', b: 2 });
    const p = assertProblem(res, 409, 'AlreadyExists');
    assert.match(String(p.detail), new RegExp(id));
    assert.deepEqual(await getEntity(h().app, id), { id, type: 'Room', a: { type: 'Property', value: 1 } }, 'the first entity is untouched');
  });

  it('create should answer 400 BadRequestData when the id is not a URI', async () => {
    for (const id of ['not a uri', 'room1', '', 42, null, ['urn:a:b']]) {
      const res = await send(h().app, 'POST', ENTITIES, { id, type: 'Room' });
      assertProblem(res, 400, 'BadRequestData');
    }
  });

  it('create should answer 400 BadRequestData when the type or the id is missing', async () => {
    assertProblem(await send(h().app, 'POST', ENTITIES, { id: uniqueId('NoType'), a: 1 }), 400, 'BadRequestData');
    assertProblem(await send(h().app, 'POST', ENTITIES, { type: 'NoId', a: 1 }), 400, 'BadRequestData');
  });

  it('create should answer 400 BadRequestData when the type is not a valid name', async () => {
    for (const type of ['', 'a b', ['ok', 3], [], 'has,comma']) {
      assertProblem(await send(h().app, 'POST', ENTITIES, { id: uniqueId('BadType'), type }), 400, 'BadRequestData');
    }
  });

  it('create should keep several types when type is an array', async () => {
    const id = uniqueId('Multi');
    assert.equal((await send(h().app, 'POST', ENTITIES, { id, type: ['Building', 'Shop'] })).statusCode, 201);
    assert.deepEqual((await getEntity(h().app, id)).type, ['Building', 'Shop']);
  });

  it('create should store every attribute kind when the body is normalized', async () => {
    const id = uniqueId('AllKinds');
    const body = {
      id,
      type: 'Sample',
      temperature: { type: 'Property', value: 21.5, unitCode: 'CEL', observedAt: '2024-05-01T10:00:00Z' },
      nested: { type: 'Property', value: { a: [1, 2, { b: null }] } },
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:1', objectType: 'Person' },
      members: { type: 'Relationship', object: ['urn:ngsi-ld:Person:1', 'urn:ngsi-ld:Person:2'] },
      location: { type: 'GeoProperty', value: point },
      area: { type: 'GeoProperty', value: square },
      route: { type: 'GeoProperty', value: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } },
      spots: { type: 'GeoProperty', value: { type: 'MultiPoint', coordinates: [[0, 0], [1, 1]] } },
      name: { type: 'LanguageProperty', languageMap: { en: 'Station', fr: 'Gare' } },
      category: { type: 'VocabProperty', vocab: 'Commercial' },
      config: { type: 'JsonProperty', json: { any: ['json', { shape: true }] } },
      readings: { type: 'ListProperty', valueList: [1, 'two', { three: 3 }] },
      path: { type: 'ListRelationship', objectList: [{ object: 'urn:ngsi-ld:Stop:1' }, { object: 'urn:ngsi-ld:Stop:2' }] },
    };
    const res = await send(h().app, 'POST', ENTITIES, body);
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(await getEntity(h().app, id), body);
  });

  it('create should store every GeoJSON geometry type when the value is valid', async () => {
    const geometries = [
      point,
      { type: 'Point', coordinates: [2.35, 48.85, 35] },
      square,
      { type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[2, 2], [3, 3]]] },
      { type: 'MultiPolygon', coordinates: [square.coordinates] },
      { type: 'GeometryCollection', geometries: [point, square] },
    ];
    for (const g of geometries) {
      const id = uniqueId('Geo');
      const res = await send(h().app, 'POST', ENTITIES, { id, type: 'Geo', location: { type: 'GeoProperty', value: g } });
      assert.equal(res.statusCode, 201, `${g.type}: ${res.body}`);
      assert.deepEqual((await getEntity(h().app, id)).location, { type: 'GeoProperty', value: g });
    }
  });

  it('create should answer 400 BadRequestData when a GeoProperty holds an invalid geometry', async () => {
    const invalid = [
      { type: 'Point', coordinates: [1] },
      { type: 'Point', coordinates: [200, 0] },
      { type: 'Point', coordinates: [0, 95] },
      { type: 'Point', coordinates: ['1', '2'] },
      { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] },
      { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [0, 0]]] },
      { type: 'LineString', coordinates: [[0, 0]] },
      { type: 'Circle', coordinates: [0, 0] },
      { type: 'GeometryCollection', geometries: [] },
      'not geojson',
      42,
    ];
    for (const value of invalid) {
      const id = uniqueId('BadGeo');
      const res = await send(h().app, 'POST', ENTITIES, { id, type: 'Geo', location: { type: 'GeoProperty', value } });
      assertProblem(res, 400, 'BadRequestData');
      assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
    }
  });

  it('create should accept a GeoProperty value given as a JSON string when it holds GeoJSON', async () => {
    const id = uniqueId('GeoString');
    const res = await send(h().app, 'POST', ENTITIES, { id, type: 'Geo', location: { type: 'GeoProperty', value: JSON.stringify(point) } });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual((await getEntity(h().app, id)).location, { type: 'GeoProperty', value: point });
  });

  it('create should answer 400 BadRequestData when an attribute breaks its type rules', async () => {
    const bad: Record<string, unknown>[] = [
      { rel: { type: 'Relationship', object: 'not a uri' } },
      { rel: { type: 'Relationship', object: [] } },
      { rel: { type: 'Relationship' } },
      { p: { type: 'Property' } },
      { p: { type: 'Property', value: null } },
      { p: null },
      { p: { type: 'Unknown', value: 1 } },
      { p: { type: 'Property', value: 1, object: 'urn:a:b' } },
      { p: { type: 'Property', value: 1, observedAt: 'yesterday' } },
      { p: { type: 'Property', value: 1, datasetId: 'not a uri' } },
      { p: { type: 'Property', value: 1, unitCode: 7 } },
      { p: { type: 'Property', value: 1, objectType: 'Person' } },
      { lp: { type: 'LanguageProperty', languageMap: { 'not a tag!': 'x' } } },
      { lp: { type: 'LanguageProperty', languageMap: 'text' } },
      { jp: { type: 'JsonProperty', json: 'scalar' } },
      { lst: { type: 'ListProperty', valueList: 'scalar' } },
      { lr: { type: 'ListRelationship', objectList: ['not a uri'] } },
      { 'bad name': 1 },
      { p: 'urn:ngsi-ld:null' },
      { p: { value: 1, object: 'urn:a:b' } },
    ];
    for (const attrs of bad) {
      const res = await send(h().app, 'POST', ENTITIES, { id: uniqueId('BadAttr'), type: 'T', ...attrs });
      assertProblem(res, 400, 'BadRequestData');
    }
  });

  it('create should keep sub-attributes at every level when they are given', async () => {
    const id = uniqueId('Subs');
    const body = {
      id,
      type: 'Sensor',
      temperature: {
        type: 'Property',
        value: 20,
        accuracy: { type: 'Property', value: 0.5, unitCode: 'CEL' },
        measuredBy: { type: 'Relationship', object: 'urn:ngsi-ld:Device:1', calibration: { type: 'Property', value: 'ok' } },
        where: { type: 'GeoProperty', value: point },
      },
    };
    assert.equal((await send(h().app, 'POST', ENTITIES, body)).statusCode, 201);
    assert.deepEqual(await getEntity(h().app, id), body);
  });

  it('create should keep one instance per datasetId when an attribute is a multi-attribute', async () => {
    const id = uniqueId('Multi');
    const speed = [
      { type: 'Property', value: 55 },
      { type: 'Property', value: 54.5, datasetId: 'urn:ngsi-ld:Dataset:gps' },
      { type: 'Property', value: 56, datasetId: 'urn:ngsi-ld:Dataset:wheel' },
    ];
    assert.equal((await send(h().app, 'POST', ENTITIES, { id, type: 'Car', speed })).statusCode, 201);
    assert.deepEqual((await getEntity(h().app, id)).speed, speed);
  });

  it('create should answer 400 BadRequestData when two instances share a datasetId', async () => {
    for (const speed of [
      [{ type: 'Property', value: 1 }, { type: 'Property', value: 2 }],
      [
        { type: 'Property', value: 1, datasetId: 'urn:ngsi-ld:Dataset:a' },
        { type: 'Property', value: 2, datasetId: 'urn:ngsi-ld:Dataset:a' },
      ],
    ]) {
      assertProblem(await send(h().app, 'POST', ENTITIES, { id: uniqueId('Dup'), type: 'Car', speed }), 400, 'BadRequestData');
    }
  });

  it('create should infer attribute types when the body is concise', async () => {
    const id = uniqueId('Concise');
    const res = await send(h().app, 'POST', ENTITIES, {
      id,
      type: 'Sample',
      count: 3,
      label: 'text',
      flags: [true, false],
      measured: { value: 21, unitCode: 'CEL' },
      owner: { object: 'urn:ngsi-ld:Person:1' },
      location: point,
      name: { languageMap: { en: 'x' } },
      category: { vocab: 'Commercial' },
      config: { json: { a: 1 } },
      readings: { valueList: [1, 2] },
      path: { objectList: ['urn:ngsi-ld:Stop:1'] },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(await getEntity(h().app, id), {
      id,
      type: 'Sample',
      count: { type: 'Property', value: 3 },
      label: { type: 'Property', value: 'text' },
      flags: { type: 'Property', value: [true, false] },
      measured: { type: 'Property', value: 21, unitCode: 'CEL' },
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:1' },
      location: { type: 'GeoProperty', value: point },
      name: { type: 'LanguageProperty', languageMap: { en: 'x' } },
      category: { type: 'VocabProperty', vocab: 'Commercial' },
      config: { type: 'JsonProperty', json: { a: 1 } },
      readings: { type: 'ListProperty', valueList: [1, 2] },
      path: { type: 'ListRelationship', objectList: [{ object: 'urn:ngsi-ld:Stop:1' }] },
    });
  });

  it('create should expand names with the body @context when the Content-Type is application/ld+json', async () => {
    const id = uniqueId('Ld');
    const ctx = { Vehicle: 'https://example.org/model#Vehicle', speed: 'https://example.org/model#speed' };
    const res = await send(
      h().app,
      'POST',
      ENTITIES,
      { '@context': [ctx, CORE_CONTEXT], id, type: 'Vehicle', speed: { type: 'Property', value: 80 }, other: 1 },
      { 'content-type': 'application/ld+json' },
    );
    assert.equal(res.statusCode, 201, res.body);
    // Read back with the core context only: user terms come back as full IRIs, unknown terms under the default vocab.
    const e = await getEntity(h().app, id);
    assert.deepEqual(e.type, 'https://example.org/model#Vehicle');
    assert.deepEqual(e['https://example.org/model#speed'], { type: 'Property', value: 80 });
    assert.deepEqual(e.other, { type: 'Property', value: 1 }, 'default-vocab names compact back with the core context');
  });

  it('create should expand names with the Link context when the Content-Type is application/json', async () => {
    const url = await hostContext(h().app, { Bus: 'https://example.org/transport#Bus', line: 'https://example.org/transport#line' });
    const id = uniqueId('Linked');
    const res = await send(h().app, 'POST', ENTITIES, { id, type: 'Bus', line: 'L1' }, { link: linkHeader(url) });
    assert.equal(res.statusCode, 201, res.body);
    const expanded = await getEntity(h().app, id);
    assert.equal(expanded.type, 'https://example.org/transport#Bus');
    assert.deepEqual(expanded['https://example.org/transport#line'], { type: 'Property', value: 'L1' });
    const compacted = await getEntity(h().app, id, '', { link: linkHeader(url) });
    assert.deepEqual(compacted, { id, type: 'Bus', line: { type: 'Property', value: 'L1' } });
  });

  it('create should answer 400 BadRequestData when application/json carries an @context member', async () => {
    const res = await send(h().app, 'POST', ENTITIES, { '@context': CORE_CONTEXT, id: uniqueId('Ctx'), type: 'T' });
    assertProblem(res, 400, 'BadRequestData');
  });

  it('create should answer 400 BadRequestData when application/ld+json comes with a context Link header', async () => {
    const id = uniqueId('Ctx');
    const res = await send(h().app, 'POST', ENTITIES, { '@context': CORE_CONTEXT, id, type: 'T' }, {
      'content-type': 'application/ld+json',
      link: linkHeader(CORE_CONTEXT),
    });
    assertProblem(res, 400, 'BadRequestData');
    assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
  });

  it('create should answer 400 BadRequestData when application/ld+json has no @context member', async () => {
    const res = await send(h().app, 'POST', ENTITIES, { id: uniqueId('Ctx'), type: 'T' }, { 'content-type': 'application/ld+json' });
    assertProblem(res, 400, 'BadRequestData');
  });

  it('create should answer 400 when the Link header is malformed or names several contexts', async () => {
    const body = { id: uniqueId('Link'), type: 'T' };
    for (const link of ['not a link', `<${CORE_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context", ${linkHeader(CORE_CONTEXT)}`, linkHeader('relative/ctx.jsonld')]) {
      assertProblem(await send(h().app, 'POST', ENTITIES, body, { link }), 400, 'BadRequestData');
    }
  });

  it('create should answer 400 when an inline @context is not a URL, object or array of those', async () => {
    const res = await send(h().app, 'POST', ENTITIES, { '@context': 42, id: uniqueId('Ctx'), type: 'T' }, { 'content-type': 'application/ld+json' });
    assert.equal(res.statusCode, 400, res.body);
  });

  it('create should keep core terms when an inline @context tries to redefine them', async () => {
    const id = uniqueId('Ctx');
    const res = await send(
      h().app,
      'POST',
      ENTITIES,
      { '@context': { location: 'https://example.org/mine', Property: 'https://example.org/P' }, id, type: 'T', location: { type: 'Property', value: 'x' } },
      { 'content-type': 'application/ld+json' },
    );
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual((await getEntity(h().app, id)).location, { type: 'Property', value: 'x' }, 'location is still the core term');
  });

  it('create should answer 400 InvalidRequest when an inline @context is invalid JSON-LD', async () => {
    for (const context of [{ a: { '@id': 42 } }, { '@version': 2 }, { a: { '@type': '@nonsense', '@id': 'https://x.example/a' } }]) {
      const res = await send(h().app, 'POST', ENTITIES, { '@context': context, id: uniqueId('Ctx'), type: 'T' }, { 'content-type': 'application/ld+json' });
      assertProblem(res, 400, 'InvalidRequest');
    }
  });

  it('create should answer 400 when an inline @context names something that is not an absolute http(s) URL', async () => {
    // A malformed reference is the client's mistake; 503 LdContextNotAvailable is for a valid URL that cannot be fetched.
    for (const context of ['', 'relative/ctx.jsonld', [''], { '@import': 'nowhere' }, 'urn:ngsi-ld:Fuzz:2', 'ftp://example.org/c.jsonld']) {
      const res = await send(h().app, 'POST', ENTITIES, { '@context': context, id: uniqueId('Ctx'), type: 'T' }, { 'content-type': 'application/ld+json' });
      assert.equal(res.statusCode, 400, `${JSON.stringify(context)}: ${res.body}`);
      assert.match(String(res.json().type), /\/(BadRequestData|InvalidRequest)$/);
    }
  });

  it('create should answer 415 when the Content-Type is not JSON', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await send(h().app, 'POST', ENTITIES, JSON.stringify({ id: uniqueId('Media'), type: 'T' }), { 'content-type': type });
      assertProblem(res, 415, 'InvalidRequest');
    }
  });

  it('create should accept a charset parameter when the Content-Type is application/json', async () => {
    const res = await send(h().app, 'POST', ENTITIES, { id: uniqueId('Charset'), type: 'T' }, { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(res.statusCode, 201, res.body);
  });

  it('create should answer 415 and store nothing when the Content-Type names a charset other than UTF-8', async () => {
    for (const type of ['application/json; charset=latin1', 'application/ld+json; charset="ISO-8859-1"']) {
      const id = uniqueId('Latin');
      const res = await send(h().app, 'POST', ENTITIES, { id, type: 'T', '@context': CORE_CONTEXT }, { 'content-type': type });
      assertProblem(res, 415, 'InvalidRequest');
      assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
    }
    const upper = await send(h().app, 'POST', ENTITIES, { id: uniqueId('Utf8'), type: 'T' }, { 'content-type': 'application/json;charset=UTF-8' });
    assert.equal(upper.statusCode, 201, upper.body);
  });

  it('create should answer 400 InvalidRequest when the body is malformed JSON', async () => {
    for (const raw of ['{"id": ', '{id: "urn:a:b"}', "{'a':1}", '[1,]', 'nul']) {
      assertProblem(await send(h().app, 'POST', ENTITIES, raw), 400, 'InvalidRequest');
    }
  });

  it('create should answer 400 when the body is empty or not a JSON object', async () => {
    assertProblem(await send(h().app, 'POST', ENTITIES, ''), 400, 'InvalidRequest');
    assertProblem(await send(h().app, 'POST', ENTITIES, '   '), 400, 'InvalidRequest');
    const none = await h().app.inject({ method: 'POST', url: ENTITIES, headers: { 'content-type': 'application/json' } });
    assert.equal(none.statusCode, 400, none.body);
    for (const body of ['[]', '"text"', '42', 'null', 'true', '[{"id":"urn:a:b","type":"T"}]']) {
      assertProblem(await send(h().app, 'POST', ENTITIES, body), 400, 'BadRequestData');
    }
  });

  it('create should answer 413 when the body exceeds the configured bodyLimit', async () => {
    const app = await buildTestApp(h().store, { bodyLimit: 2048 }, h().engine);
    try {
      const id = uniqueId('Huge');
      const res = await send(app, 'POST', ENTITIES, { id, type: 'T', blob: 'x'.repeat(4096) });
      const p = assertProblem(res, 413, 'InvalidRequest');
      assert.match(String(p.detail), /limit of 2048 bytes/);
      assertProblem(await app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
      assert.equal((await send(app, 'POST', ENTITIES, { id, type: 'T', blob: 'small' })).statusCode, 201, 'a body under the limit passes');
    } finally {
      await app.close();
    }
  });

  it('create should answer 400 BadRequestData and store nothing when the body is nested deeper than 128 levels', async () => {
    // entity (1) > attribute (2) > json: arrays from level 3 on
    const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
    const body = (id: string, levels: number) => `{"id":"${id}","type":"T","p":{"type":"JsonProperty","json":${nested(levels)}}}`;
    const deepest = uniqueId('Deep');
    assert.equal((await send(h().app, 'POST', ENTITIES, body(deepest, 126))).statusCode, 201, 'depth 128 is accepted');
    for (const levels of [127, 5000]) {
      const id = uniqueId('TooDeep');
      const p = assertProblem(await send(h().app, 'POST', ENTITIES, body(id, levels)), 400, 'BadRequestData');
      assert.match(String(p.detail), /nested deeper than 128 levels/);
      assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
    }
  });

  it('create should answer 400 BadRequestData and store nothing when a member is named __proto__', async () => {
    for (const inner of ['"__proto__":{"type":"Property","value":1}', '"p":{"type":"Property","value":{"a":{"__proto__":{"x":1}}}}']) {
      const id = uniqueId('Proto');
      const p = assertProblem(await send(h().app, 'POST', ENTITIES, `{"id":"${id}","type":"T",${inner}}`), 400, 'BadRequestData');
      assert.match(String(p.detail), /__proto__/);
      assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
    }
  });

  it('create should answer 415 when the Content-Type is application/merge-patch+json', async () => {
    const id = uniqueId('MergeType');
    const res = await send(h().app, 'POST', ENTITIES, { id, type: 'T' }, { 'content-type': 'application/merge-patch+json' });
    assertProblem(res, 415, 'InvalidRequest');
    assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
  });

  it('any request should answer a 400 ProblemDetails when the URL has an invalid percent-encoding', async () => {
    assertProblem(await h().app.inject({ method: 'GET', url: `${ENTITIES}/%E0%A4%A` }), 400, 'BadRequestData');
  });

  it('any request should answer a 414 ProblemDetails when a path segment is longer than 8192 characters', async () => {
    const res = await h().app.inject({ method: 'GET', url: entityUrl(`urn:ngsi-ld:T:${'a'.repeat(9000)}`) });
    assertProblem(res, 414, 'InvalidRequest');
  });

  it('create should answer 400 BadRequestData when the query string has an unknown parameter', async () => {
    const res = await send(h().app, 'POST', `${ENTITIES}?foo=bar`, { id: uniqueId('Param'), type: 'T' });
    assertProblem(res, 400, 'BadRequestData');
  });

  it('create should answer 400 BadRequestData when the NGSILD-Tenant header is not a valid name', async () => {
    const res = await send(h().app, 'POST', ENTITIES, { id: uniqueId('Tenant'), type: 'T' }, { 'ngsild-tenant': 'bad tenant!' });
    assertProblem(res, 400, 'BadRequestData');
  });

  it('create should answer 400 BadRequestData when two attribute names expand to the same IRI', async () => {
    const res = await send(h().app, 'POST', ENTITIES, { id: uniqueId('Same'), type: 'T', speed: 1, [`${DEFAULT_VOCAB}speed`]: 2 });
    assertProblem(res, 400, 'BadRequestData');
  });

  it('create should keep the attribute name when it is given as a full IRI', async () => {
    const id = uniqueId('Iri');
    const res = await send(h().app, 'POST', ENTITIES, { id, type: 'T', 'https://example.org/p#height': 3 });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual((await getEntity(h().app, id))['https://example.org/p#height'], { type: 'Property', value: 3 });
  });

  it('any request should answer 404 ResourceNotFound when the path is unknown', async () => {
    assertProblem(await h().app.inject({ method: 'GET', url: '/ngsi-ld/v1/nothing-here' }), 404, 'ResourceNotFound');
    assertProblem(await h().app.inject({ method: 'DELETE', url: '/ngsi-ld/v1/nothing-here' }), 404, 'ResourceNotFound');
  });

  it('any request should answer 405 with Allow naming the methods of the path when the path exists but not the method', async () => {
    const cases: Array<[string, string, string]> = [
      ['DELETE', ENTITIES, 'GET, HEAD, POST'],
      ['PUT', `${ENTITIES}/`, 'GET, HEAD, POST'],
      ['PUT', '/ngsi-ld/v1/subscriptions', 'GET, HEAD, POST'],
      ['POST', entityUrl('urn:ngsi-ld:T:1'), 'GET, HEAD, PUT, PATCH, DELETE'],
      ['GET', entityUrl('urn:ngsi-ld:T:1', '/attrs?x=1'), 'POST, PATCH'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await h().app.inject({ method: method as 'GET', url });
      const body = assertProblem(res, 405, 'InvalidRequest');
      assert.equal(res.headers.allow, allow, `${method} ${url}`);
      assert.match(String(body.detail), new RegExp(`${method} is not allowed`));
    }
  });

  it('any request should answer a 431 ProblemDetails over a real socket when its headers exceed the server limit', async () => {
    const app = await buildTestApp(h().store, {}, h().engine);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const raw = (request: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => socket.end(request));
          let answer = '';
          socket.on('data', (d) => (answer += d.toString('utf8')));
          socket.on('close', () => resolve(answer));
          socket.on('error', reject);
        });
      const problemOf = (answer: string) => {
        const [head, body] = answer.split('\r\n\r\n');
        assert.match(head, /content-type: application\/json/i, head);
        return { status: Number(head.split(' ')[1]), body: JSON.parse(body) as Record<string, unknown> };
      };
      const big = problemOf(await raw(`GET ${ENTITIES}?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
      assert.equal(big.status, 431);
      assert.deepEqual([big.body.type, big.body.status, big.body.title], ['https://uri.etsi.org/ngsi-ld/errors/InvalidRequest', 431, 'Request header fields too large']);
      const garbled = problemOf(await raw('NOT HTTP AT ALL\r\n\r\n'));
      assert.equal(garbled.status, 400);
      assert.equal(garbled.body.type, 'https://uri.etsi.org/ngsi-ld/errors/InvalidRequest');
      assert.equal(typeof garbled.body.detail, 'string');
    } finally {
      await app.close();
    }
  });
});
