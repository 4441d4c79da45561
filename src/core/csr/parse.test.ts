import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EX, termMap, VOCAB } from '../query/query-fixtures.test-util.js';
import type { RegistrationDraft } from './model.js';
import { parseRegistration, parseRegistrationPatch } from './parse.js';

const NOW = '2024-05-01T10:00:00.000Z';
const tm = await termMap();
const NGSI = 'https://uri.etsi.org/ngsi-ld/';

function reg(members: Record<string, unknown> = {}): Record<string, unknown> {
  const all: Record<string, unknown> = { type: 'ContextSourceRegistration', information: [{ entities: [{ type: 'Car' }] }], endpoint: 'http://source:8080', ...members };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

function accept(body: unknown): RegistrationDraft {
  const r = parseRegistration(body, tm, NOW);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return r.value;
}

function refuse(body: unknown, detail: RegExp): void {
  const r = parseRegistration(body, tm, NOW);
  assert.equal(r.ok, false, 'expected a refusal');
  if (!r.ok) {
    assert.equal(r.problem.kind, 'BadRequestData');
    assert.match(r.problem.detail, detail);
  }
}

describe('parseRegistration (5.2.9, 5.9.2)', () => {
  it('parseRegistration should expand entity types and attribute names when a context defines them', () => {
    const r = accept(reg({ information: [{ entities: [{ type: ['Car', 'Bus'], id: 'urn:x:1' }], propertyNames: ['speed'], relationshipNames: ['owner'] }] }));
    assert.deepEqual(r.information, [{ entities: [{ types: [`${EX}Car`, `${VOCAB}Bus`], id: 'urn:x:1' }], propertyNames: [`${EX}speed`], relationshipNames: [`${VOCAB}owner`] }]);
  });

  it('parseRegistration should apply the defaults of clause 5.2.9 when mode and operations are absent', () => {
    const r = accept(reg());
    assert.equal(r.mode, 'inclusive');
    assert.deepEqual(r.operations, ['federationOps']);
    assert.equal(r.createdAt, NOW);
    assert.equal(r.modifiedAt, NOW);
    assert.equal(r.id, undefined);
  });

  it('parseRegistration should keep a registrant Property by its expanded name when the member is not defined by 5.2.9', () => {
    assert.deepEqual(accept(reg({ speed: { type: 'Property', value: 3 }, brand: 'X' })).properties, { [`${EX}speed`]: 3, [`${VOCAB}brand`]: 'X' });
  });

  it('parseRegistration should refuse a Property given twice under two names that expand alike', () => {
    refuse(reg({ speed: 1, 'ex:speed': 2 }), /given twice/);
  });

  it('parseRegistration should keep a single scope as a one-item list', () => {
    assert.deepEqual(accept(reg({ scope: '/a/b' })).scope, ['/a/b']);
  });

  it('parseRegistration should refuse an exclusive registration without ids or attributes', () => {
    refuse(reg({ mode: 'exclusive', information: [{ propertyNames: ['speed'] }] }), /by id/);
    refuse(reg({ mode: 'exclusive', information: [{ entities: [{ type: 'Car', idPattern: '.*' }], propertyNames: ['speed'] }] }), /by id/);
    refuse(reg({ mode: 'exclusive', information: [{ entities: [{ type: 'Car', id: 'urn:x:1' }] }] }), /propertyNames or relationshipNames/);
    accept(reg({ mode: 'exclusive', information: [{ entities: [{ type: 'Car', id: 'urn:x:1' }], relationshipNames: ['owner'] }] }));
  });

  it('parseRegistration should refuse write operations for an auxiliary registration, groups expanded', () => {
    refuse(reg({ mode: 'auxiliary', operations: ['updateOps'] }), /updateEntity/);
    accept(reg({ mode: 'auxiliary' }));
    accept(reg({ mode: 'auxiliary', operations: ['retrieveOps', 'retrieveTemporal'] }));
  });

  it('parseRegistration should refuse the system-generated members', () => {
    for (const m of ['status', 'timesSent', 'timesFailed', 'lastSuccess', 'lastFailure', 'createdAt', 'modifiedAt', 'deletedAt']) refuse(reg({ [m]: 'x' }), /set by the system/);
  });

  it('parseRegistration should refuse an endpoint that is not http or https', () => {
    refuse(reg({ endpoint: 'ftp://x/y' }), /http or https/);
    refuse(reg({ endpoint: 'http://' }), /http or https/);
  });

  it('parseRegistrationPatch should keep only the members given', () => {
    const r = parseRegistrationPatch({ registrationName: 'n', type: 'ContextSourceRegistration' }, tm, NOW);
    assert.ok(r.ok);
    assert.deepEqual(r.value, { registrationName: 'n', modifiedAt: NOW });
    assert.equal(parseRegistrationPatch({}, tm, NOW).ok, false);
    assert.equal(parseRegistrationPatch({ type: 'ContextSourceRegistration' }, tm, NOW).ok, false);
  });

  it('parseRegistration should map the filterable core members to NGSI-LD IRIs', () => {
    // q and csf name members like mode with the core context: they must expand where the store keeps them
    assert.equal(tm.expand('mode'), `${NGSI}mode`);
    assert.equal(tm.expand('operations'), `${NGSI}operations`);
    assert.equal(tm.expand('registrationName'), `${NGSI}registrationName`);
    assert.equal(tm.expand('description'), 'http://purl.org/dc/terms/description');
  });

  // ---------------------------------------------------------------- property: never throws, always a precise 400

  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 }),
  })).value;
  const members = ['id', 'type', 'registrationName', 'description', 'information', 'datasetId', 'tenant', 'observationInterval', 'managementInterval', 'location',
    'observationSpace', 'operationSpace', 'expiresAt', 'endpoint', 'contextSourceInfo', 'scope', 'mode', 'operations', 'refreshRate', 'management', 'contextSourceAlias', 'status', 'speed'];
  const plausible = {
    information: fc.array(fc.record({ entities: fc.array(fc.record({ type: fc.oneof(fc.constantFrom('Car', 'ex:Bus', ''), json), id: fc.oneof(fc.constant('urn:x:1'), json), idPattern: fc.oneof(fc.constantFrom('^a', '(', '.*'), json) }, { requiredKeys: [] }), { maxLength: 2 }), propertyNames: fc.oneof(fc.constant(['speed']), json) }, { requiredKeys: [] }), { maxLength: 2 }),
    mode: fc.oneof(fc.constantFrom('inclusive', 'exclusive', 'redirect', 'auxiliary', 'other'), json),
    operations: fc.oneof(fc.constantFrom(['federationOps'], ['createEntity'], ['updateOps', 'nope']), json),
    observationInterval: fc.oneof(fc.record({ startAt: fc.constantFrom('2020-01-01T00:00:00Z', 'x'), endAt: fc.constantFrom('2019-01-01T00:00:00Z', '2030-01-01T00:00:00Z') }, { requiredKeys: [] }), json),
    location: fc.oneof(fc.constant({ type: 'Point', coordinates: [1, 2] }), json),
    endpoint: fc.oneof(fc.constantFrom('http://a:1', 'mqtt://b', 'x'), json),
  };
  const body = fc.oneof(
    json,
    fc.dictionary(fc.constantFrom(...members), json, { maxKeys: 6 }),
    fc.record({ type: fc.constant('ContextSourceRegistration'), ...plausible }, { requiredKeys: ['type'] }),
  );

  it('parseRegistration should never throw and should answer BadRequestData or a registration when the body is arbitrary', () => {
    fc.assert(
      fc.property(body, (b) => {
        const r = parseRegistration(b, tm, NOW);
        if (!r.ok) {
          assert.equal(r.problem.kind, 'BadRequestData');
          assert.ok(r.problem.detail.length > 0 && r.problem.detail.length < 400, r.problem.detail);
          return;
        }
        assert.equal(r.value.type, 'ContextSourceRegistration');
        assert.ok(r.value.information.length > 0);
        if (r.value.mode === 'exclusive') assert.ok(r.value.information.every((i) => i.entities?.every((e) => e.id !== undefined)));
        // what was accepted is stable: the JSON round trip keeps it
        assert.deepEqual(JSON.parse(JSON.stringify(r.value)), r.value);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseRegistrationPatch should never throw when the body is arbitrary', () => {
    fc.assert(
      fc.property(body, (b) => {
        const r = parseRegistrationPatch(b, tm, NOW);
        assert.ok(r.ok || r.problem.kind === 'BadRequestData');
      }),
      { numRuns: 1000 },
    );
  });
});
