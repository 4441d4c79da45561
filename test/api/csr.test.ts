/**
 * The Context Source Registration API (ETSI GS CIM 009 V1.8.1 clause 5.9: register 5.9.2, update 5.9.3, delete 5.9.4;
 * clause 5.10.1 retrieve; data type 5.2.9 with 5.2.8, 5.2.10, 5.2.11) over HTTP, in-process, on every engine.
 * Discovery (5.10.2) is in csr-discovery.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { API, assertProblem, CORE_CONTEXT, describeApi, ENTITIES, hostContext, linkHeader, send, uniqueId, uniqueTenant, type Headers } from '../support/http.js';

const CSR = `${API}/csourceRegistrations`;
const EX = 'http://example.org/';
const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';
const regUrl = (id: string, query = '') => `${CSR}/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;

/** A registration with every member a client may give (test/fixtures/csr/every-member.json). */
const everyMember = JSON.parse(readFileSync(new URL('../fixtures/csr/every-member.json', import.meta.url), 'utf8'));

/** An entity type no other test registers, so that registrations of one test never conflict with another's. */
const uniqueType = (name = 'Thing'): string => `${name}${randomUUID().slice(0, 8)}`;

/** A valid registration body with `members` (a member given as undefined is left out). */
export function registration(members: Record<string, unknown> = {}): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: uniqueId('ContextSourceRegistration'),
    type: 'ContextSourceRegistration',
    information: [{ entities: [{ type: uniqueType() }] }],
    endpoint: 'http://127.0.0.1:9/source',
    ...members,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

describeApi('Context source registrations (5.9, 5.10.1)', (h) => {
  let user: Headers = {};
  let userContext = '';
  before(async () => {
    userContext = await hostContext(h().app, { ex: EX, speed: 'ex:speed', Vehicle: 'ex:Vehicle', brandName: 'ex:brandName', owner: 'ex:owner' });
    user = { link: linkHeader(userContext) };
  });

  const create = async (b: Record<string, unknown>, headers: Headers = {}): Promise<LightMyRequestResponse> => {
    const res = await send(h().app, 'POST', CSR, b, headers);
    assert.equal(res.statusCode, 201, res.body);
    return res;
  };
  const retrieve = async (id: string, query = '', headers: Headers = {}): Promise<Record<string, any>> => {
    const res = await send(h().app, 'GET', regUrl(id, query), undefined, headers);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const rejected = async (b: unknown, status: number, type: string, headers: Headers = {}) => assertProblem(await send(h().app, 'POST', CSR, b, headers), status, type);

  // ---------------------------------------------------------------- 5.9.2 register, 5.10.1 retrieve

  it('register should answer 201 with the Location of the registration when the body is valid', async () => {
    const b = registration();
    const res = await create(b);
    assert.equal(res.headers.location, `/ngsi-ld/v1/csourceRegistrations/${encodeURIComponent(b.id as string)}`);
    assert.equal(res.body, '');
  });

  it('register should generate a URI id when the body has none', async () => {
    const res = await create(registration({ id: undefined }));
    const id = decodeURIComponent(String(res.headers.location).split('/').pop()!);
    assert.match(id, /^urn:ngsi-ld:ContextSourceRegistration:[0-9a-f-]{36}$/);
    assert.equal((await retrieve(id)).id, id);
  });

  it('retrieve should answer every member as given when the registration has them all', async () => {
    const id = uniqueId('ContextSourceRegistration');
    await create({ ...everyMember, id });
    const got = await retrieve(id);
    // clause 5.2.9: the client's members back, then the read-only counters (0 before any distributed operation)
    assert.deepEqual(got, { ...everyMember, id, scope: ['/Madrid/Centre', '/Operator'], timesSent: 0, timesFailed: 0 });
  });

  it('retrieve should add createdAt and modifiedAt when options is sysAttrs', async () => {
    const b = registration();
    await create(b);
    const got = await retrieve(b.id as string, 'options=sysAttrs');
    assert.ok(!Number.isNaN(Date.parse(got.createdAt)), got.createdAt);
    assert.equal(got.modifiedAt, got.createdAt);
    assert.equal((await retrieve(b.id as string)).createdAt, undefined);
  });

  it('register should default mode to inclusive and operations to federationOps when they are not given', async () => {
    const b = registration();
    await create(b);
    const got = await retrieve(b.id as string);
    assert.equal(got.mode, 'inclusive');
    assert.deepEqual(got.operations, ['federationOps']);
  });

  it('retrieve should compact names with the Link context when the registration was made with it', async () => {
    const b = registration({ information: [{ entities: [{ type: 'Vehicle' }], propertyNames: ['speed'], relationshipNames: ['owner'] }], brandName: 'Mercedes' });
    await create(b, user);
    assert.deepEqual((await retrieve(b.id as string, '', user)).information, b.information);
    assert.deepEqual((await retrieve(b.id as string, '', user)).brandName, { type: 'Property', value: 'Mercedes' });
    // read with the core context only, the names are the IRIs the user context gave them
    const core = await retrieve(b.id as string);
    assert.deepEqual(core.information, [{ entities: [{ type: `${EX}Vehicle` }], propertyNames: [`${EX}speed`], relationshipNames: [`${EX}owner`] }]);
    assert.deepEqual(core[`${EX}brandName`], { type: 'Property', value: 'Mercedes' });
  });

  it('register should expand names with the default vocabulary when no context defines them', async () => {
    const b = registration({ information: [{ entities: [{ type: 'Bus' }], propertyNames: ['fuel'] }] });
    await create(b);
    const got = await retrieve(b.id as string, '', { link: linkHeader(userContext) });
    assert.deepEqual(got.information, [{ entities: [{ type: 'Bus' }], propertyNames: ['fuel'] }]);
    const res = await send(h().app, 'GET', `${CSR}?type=${encodeURIComponent(`${DEFAULT}Bus`)}&id=urn:x:none`);
    assert.equal(res.statusCode, 200, res.body);
  });

  it('retrieve should carry @context in the body when Accept is application/ld+json', async () => {
    const b = registration();
    await create(b);
    const got = await retrieve(b.id as string, '', { accept: 'application/ld+json' });
    assert.equal(got['@context'], CORE_CONTEXT);
  });

  it('register should take the context from the body when Content-Type is application/ld+json', async () => {
    const b = registration({ information: [{ entities: [{ type: 'Vehicle' }] }], '@context': [userContext] });
    await create(b, { 'content-type': 'application/ld+json' });
    assert.deepEqual((await retrieve(b.id as string)).information, [{ entities: [{ type: `${EX}Vehicle` }] }]);
  });

  it('register should answer 409 AlreadyExists when the id is taken', async () => {
    const b = registration();
    await create(b);
    await rejected(b, 409, 'AlreadyExists');
  });

  it('retrieve should answer 404 ResourceNotFound when the registration does not exist', async () => {
    assertProblem(await send(h().app, 'GET', regUrl(uniqueId('ContextSourceRegistration'))), 404, 'ResourceNotFound');
  });

  it('retrieve should answer 400 BadRequestData when the id is not a URI', async () => {
    assertProblem(await send(h().app, 'GET', regUrl('not a uri')), 400, 'BadRequestData');
  });

  // ---------------------------------------------------------------- bad input

  const invalid: Array<[string, Record<string, unknown>]> = [
    ['the type is not ContextSourceRegistration', { type: 'Registration' }],
    ['there is no type', { type: undefined }],
    ['there is no information', { information: undefined }],
    ['there is no endpoint', { endpoint: undefined }],
    ['information is empty', { information: [] }],
    ['information is not an array', { information: { entities: [{ type: 'Vehicle' }] } }],
    ['an information item is empty', { information: [{}] }],
    ['an information item has an unknown member', { information: [{ entities: [{ type: 'V' }], attrs: ['a'] }] }],
    ['an EntityInfo has no type', { information: [{ entities: [{ id: 'urn:x:1' }] }] }],
    ['an EntityInfo type is a number', { information: [{ entities: [{ type: 3 }] }] }],
    ['an EntityInfo id is not a URI', { information: [{ entities: [{ type: 'V', id: 'not a uri' }] }] }],
    ['an EntityInfo idPattern does not compile', { information: [{ entities: [{ type: 'V', idPattern: '([' }] }] }],
    ['propertyNames is empty', { information: [{ propertyNames: [] }] }],
    ['a relationship name is not a name', { information: [{ relationshipNames: ['a b'] }] }],
    ['the endpoint is not a URI', { endpoint: 'nowhere' }],
    ['the endpoint is not http or https', { endpoint: 'mqtt://broker:1883' }],
    ['the mode is unknown', { mode: 'shared' }],
    ['operations names an unknown operation', { operations: ['retrieveEntity', 'teleport'] }],
    ['operations is empty', { operations: [] }],
    ['operations is a string', { operations: 'retrieveOps' }],
    ['expiresAt is not a DateTime', { expiresAt: 'tomorrow' }],
    ['expiresAt is in the past', { expiresAt: '2000-01-01T00:00:00Z' }],
    ['observationInterval has no startAt', { observationInterval: { endAt: '2030-01-01T00:00:00Z' } }],
    ['an interval ends before it starts', { managementInterval: { startAt: '2030-01-01T00:00:00Z', endAt: '2020-01-01T00:00:00Z' } }],
    ['location is not a geometry', { location: { type: 'Point', coordinates: [200, 100] } }],
    ['contextSourceInfo is not key-value pairs', { contextSourceInfo: [{ key: 'a' }] }],
    ['scope is not a scope', { scope: 'no scope' }],
    ['tenant is empty', { tenant: '' }],
    ['registrationName is a number', { registrationName: 7 }],
    ['management has an unknown member', { management: { retries: 3 } }],
    ['management timeout is 0', { management: { timeout: 0 } }],
    ['datasetId has a non-URI', { datasetId: ['x y'] }],
    ['status is given', { status: 'ok' }],
    ['timesSent is given', { timesSent: 3 }],
    ['createdAt is given', { createdAt: '2024-01-01T00:00:00Z' }],
    ['a Property is a Relationship', { owner: { type: 'Relationship', object: 'urn:x:1' } }],
    ['a Property is null', { brandName: null }],
    ['the id is not a URI', { id: 'reg 1' }],
  ];
  for (const [condition, members] of invalid) {
    it(`register should answer 400 BadRequestData when ${condition}`, async () => {
      const body = await rejected(registration(members), 400, 'BadRequestData');
      assert.ok(String(body.detail).length < 400, String(body.detail));
    });
  }

  it('register should answer 400 when the body is not an object', async () => {
    await rejected([registration()], 400, 'BadRequestData');
    await rejected('"x"', 400, 'BadRequestData');
  });

  it('register should answer 400 InvalidRequest when the body is not JSON', async () => {
    await rejected('{"type":', 400, 'InvalidRequest');
  });

  it('register should answer 400 when an idPattern is valid in JavaScript but not in PostgreSQL', async () => {
    const p = await rejected(registration({ information: [{ entities: [{ type: 'V' }, { type: 'V', idPattern: '(?<name>x)' }] }] }), 400, 'BadRequestData');
    assert.match(String(p.detail), /^information\[0\]\.entities\[1\]\.idPattern "\(\?<name>x\)" is not a valid regular expression for PostgreSQL: /);
  });

  // ---------------------------------------------------------------- modes (4.3.6)

  it('register should answer 400 when an exclusive registration does not name its entities by id', async () => {
    const T = uniqueType('Vehicle');
    const body = await rejected(registration({ mode: 'exclusive', information: [{ entities: [{ type: T }], propertyNames: ['speed'] }] }), 400, 'BadRequestData');
    assert.match(String(body.detail), /by id/);
  });

  it('register should answer 400 when an exclusive registration names no attribute', async () => {
    const T = uniqueType('Vehicle');
    const body = await rejected(registration({ mode: 'exclusive', information: [{ entities: [{ type: T, id: uniqueId('Vehicle') }] }] }), 400, 'BadRequestData');
    assert.match(String(body.detail), /propertyNames or relationshipNames/);
  });

  it('register should answer 400 when an auxiliary registration names a write operation', async () => {
    await rejected(registration({ mode: 'auxiliary', operations: ['retrieveOps', 'createEntity'] }), 400, 'BadRequestData');
    await rejected(registration({ mode: 'auxiliary', operations: ['redirectionOps'] }), 400, 'BadRequestData');
    await create(registration({ mode: 'auxiliary', operations: ['retrieveOps', 'queryBatch'] }));
  });

  it('register should answer 409 when an exclusive registration covers an attribute another registration of the entity has', async () => {
    const T = uniqueType('Vehicle');
    const vehicle = uniqueId('Vehicle');
    const inclusive = registration({ information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed', 'fuel'] }] });
    await create(inclusive);
    const body = await rejected(registration({ mode: 'exclusive', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['fuel'] }] }), 409, 'AlreadyExists');
    assert.match(String(body.detail), new RegExp(String(inclusive.id)));
    // another attribute of the same entity does not conflict; nor does an auxiliary registration of the same one
    await create(registration({ mode: 'exclusive', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['brand'] }] }));
    await create(registration({ mode: 'auxiliary', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['brand'] }] }));
  });

  it('register should answer 409 when a registration covers an attribute an exclusive registration holds', async () => {
    const T = uniqueType('Vehicle');
    const vehicle = uniqueId('Vehicle');
    await create(registration({ mode: 'exclusive', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed'] }] }));
    // by type only, by a pattern the id matches, or without entities: each may describe the vehicle's speed
    await rejected(registration({ information: [{ entities: [{ type: T }], propertyNames: ['speed'] }] }), 409, 'AlreadyExists');
    await rejected(registration({ mode: 'redirect', information: [{ entities: [{ type: T, idPattern: vehicle.split(':').pop()! }] }] }), 409, 'AlreadyExists');
    await rejected(registration({ information: [{ propertyNames: ['speed'] }] }), 409, 'AlreadyExists');
    // a pattern the id does not match does not
    await create(registration({ information: [{ entities: [{ type: T, idPattern: '^urn:nothing:' }], propertyNames: ['speed'] }] }));
  });

  it('register should answer 409 when an exclusive or redirect registration covers data the broker holds', async () => {
    const T = uniqueType('Vehicle');
    const tenant = uniqueTenant('held');
    const t = { 'NGSILD-Tenant': tenant };
    const vehicle = uniqueId('Vehicle');
    assert.equal((await send(h().app, 'POST', ENTITIES, { id: vehicle, type: T, speed: { type: 'Property', value: 3 } }, t)).statusCode, 201);
    await rejected(registration({ mode: 'exclusive', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed'] }] }), 409, 'AlreadyExists', t);
    await rejected(registration({ mode: 'redirect', information: [{ entities: [{ type: T }] }] }), 409, 'AlreadyExists', t);
    // the broker holds no fuel of it, and an inclusive registration may add to what it holds
    await create(registration({ mode: 'exclusive', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['fuel'] }] }), t);
    await create(registration({ information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed'] }] }), t);
  });

  it('redirect registrations should not conflict with each other when they overlap', async () => {
    const T = uniqueType('Vehicle');
    const vehicle = uniqueId('Vehicle');
    const redirect = () => registration({ mode: 'redirect', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed'] }] });
    await create(redirect());
    await create(redirect());
  });

  // ---------------------------------------------------------------- 5.9.3 update

  it('update should replace the members given and keep the others when the fragment is valid', async () => {
    const b = registration({ registrationName: 'before', description: 'kept', brandName: 'A' });
    await create(b, user);
    const res = await send(h().app, 'PATCH', regUrl(b.id as string), { registrationName: 'after', information: [{ propertyNames: ['speed'] }], owner: 'me' }, user);
    assert.equal(res.statusCode, 204, res.body);
    const got = await retrieve(b.id as string, 'options=sysAttrs', user);
    assert.equal(got.registrationName, 'after');
    assert.equal(got.description, 'kept');
    assert.deepEqual(got.information, [{ propertyNames: ['speed'] }]);
    assert.deepEqual(got.brandName, { type: 'Property', value: 'A' });
    assert.deepEqual(got.owner, { type: 'Property', value: 'me' });
    assert.ok(Date.parse(got.modifiedAt) >= Date.parse(got.createdAt));
  });

  it('update should answer 404 when the registration does not exist', async () => {
    assertProblem(await send(h().app, 'PATCH', regUrl(uniqueId('ContextSourceRegistration')), { registrationName: 'x' }), 404, 'ResourceNotFound');
  });

  it('update should answer 400 when the fragment makes the registration invalid', async () => {
    const b = registration();
    await create(b);
    assertProblem(await send(h().app, 'PATCH', regUrl(b.id as string), { mode: 'exclusive' }), 400, 'BadRequestData');
    assertProblem(await send(h().app, 'PATCH', regUrl(b.id as string), {}), 400, 'BadRequestData');
    assertProblem(await send(h().app, 'PATCH', regUrl(b.id as string), { timesFailed: 1 }), 400, 'BadRequestData');
    assertProblem(await send(h().app, 'PATCH', regUrl(b.id as string), { id: uniqueId('Other') }), 400, 'BadRequestData');
    assertProblem(await send(h().app, 'PATCH', regUrl(b.id as string), { expiresAt: '2001-01-01T00:00:00Z' }), 400, 'BadRequestData');
    assert.equal((await retrieve(b.id as string)).mode, 'inclusive');
  });

  it('update should answer 409 and change nothing when the result conflicts with an exclusive registration', async () => {
    const T = uniqueType('Vehicle');
    const vehicle = uniqueId('Vehicle');
    await create(registration({ mode: 'exclusive', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed'] }] }));
    const b = registration({ information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['fuel'] }] });
    await create(b);
    assertProblem(await send(h().app, 'PATCH', regUrl(b.id as string), { information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed'] }] }), 409, 'AlreadyExists');
    assert.deepEqual((await retrieve(b.id as string)).information[0].propertyNames, ['fuel']);
  });

  // ---------------------------------------------------------------- 5.9.4 delete, tenants

  it('delete should answer 204 and the registration should be gone when it exists', async () => {
    const b = registration();
    await create(b);
    assert.equal((await send(h().app, 'DELETE', regUrl(b.id as string))).statusCode, 204);
    assertProblem(await send(h().app, 'GET', regUrl(b.id as string)), 404, 'ResourceNotFound');
    assertProblem(await send(h().app, 'DELETE', regUrl(b.id as string)), 404, 'ResourceNotFound');
  });

  it('delete should free the attributes of an exclusive registration when it is deleted', async () => {
    const T = uniqueType('Vehicle');
    const vehicle = uniqueId('Vehicle');
    const exclusive = registration({ mode: 'exclusive', information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed'] }] });
    await create(exclusive);
    const other = registration({ information: [{ entities: [{ type: T, id: vehicle }], propertyNames: ['speed'] }] });
    await rejected(other, 409, 'AlreadyExists');
    assert.equal((await send(h().app, 'DELETE', regUrl(exclusive.id as string))).statusCode, 204);
    await create(other);
  });

  it('registrations should be kept per tenant when the NGSILD-Tenant header differs', async () => {
    const tenant = uniqueTenant('csr');
    const b = registration();
    await create(b, { 'NGSILD-Tenant': tenant });
    assertProblem(await send(h().app, 'GET', regUrl(b.id as string)), 404, 'ResourceNotFound');
    assert.equal((await send(h().app, 'GET', regUrl(b.id as string), undefined, { 'NGSILD-Tenant': tenant })).statusCode, 200);
    assertProblem(await send(h().app, 'GET', regUrl(b.id as string), undefined, { 'NGSILD-Tenant': uniqueTenant('none') }), 404, 'NonexistentTenant');
  });

  it('conformance should list the registration operations when they are served', async () => {
    const ops = (await send(h().app, 'GET', `${API}/info/conformance`)).json().operations as string[];
    for (const op of ['createCSR', 'queryCSR', 'retrieveCSR', 'updateCSR', 'deleteCSR', 'createCSRSubscription', 'deleteCSRSubscription']) assert.ok(ops.includes(op), op);
  });

  it('register should accept a single scope string and answer it as a string', async () => {
    const b = registration({ scope: '/Madrid' });
    await create(b);
    assert.equal((await retrieve(b.id as string)).scope, '/Madrid');
  });
  // ---------------------------------------------------------------- robustness: bad input is a 4xx, never a 500

  it('register and update should answer 201, 204 or a 4xx ProblemDetails, never a 500, when the body is arbitrary', async () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 3 }),
      object: fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 }),
    })).value;
    const member = fc.constantFrom('information', 'mode', 'operations', 'endpoint', 'location', 'scope', 'observationInterval', 'contextSourceInfo', 'expiresAt', 'management', 'brandName');
    const existing = registration();
    await create(existing);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(member, json, { maxKeys: 3 }), fc.boolean(), async (members, patch) => {
        const res = patch ? await send(h().app, 'PATCH', regUrl(existing.id as string), members) : await send(h().app, 'POST', CSR, registration(members));
        assert.ok([201, 204, 400, 409].includes(res.statusCode), `${res.statusCode}: ${res.body}`);
        if (res.statusCode >= 400) assert.ok(typeof res.json().detail === 'string');
      }),
      { numRuns: 150 },
    );
  });
});
