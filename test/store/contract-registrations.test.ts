/**
 * Store contract of context source registrations (port RegistrationStore), on every engine: discovery in SQL agrees
 * with the in-memory matching of core/csr/match.ts (the base of distributed operations), and registration writes
 * are transactions with the notifications they owe.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { matchRegistration } from '../../src/core/csr/match.js';
import type { ContextSourceRegistration, EntityInfo, RegistrationInfo } from '../../src/core/csr/model.js';
import { ProblemError, problem } from '../../src/core/problem.js';
import type { TypeExpr } from '../../src/core/query/type-expr.js';
import type { Subscription } from '../../src/core/subscription/model.js';
import { forEachEngine } from '../support/engines.js';
import { uniqueId, uniqueTenant } from '../support/http.js';

const E = 'http://e/';
const TYPES = ['A', 'B', 'C'].map((x) => E + x);
const ATTRS = ['p', 'q', 'r'].map((x) => E + x);
const IDS = ['urn:e:1', 'urn:e:2', 'urn:e:3'];
const PATTERNS = ['1$', '^urn:e:[23]$', 'e'];

const entityInfo: fc.Arbitrary<EntityInfo> = fc
  .record({ types: fc.subarray(TYPES, { minLength: 1, maxLength: 2 }), which: fc.constantFrom('none', 'id', 'pattern'), id: fc.constantFrom(...IDS), pattern: fc.constantFrom(...PATTERNS) })
  .map(({ types, which, id, pattern }) => (which === 'id' ? { types, id } : which === 'pattern' ? { types, idPattern: pattern } : { types }));
const info: fc.Arbitrary<RegistrationInfo> = fc
  .record({ entities: fc.option(fc.array(entityInfo, { minLength: 1, maxLength: 2 }), { nil: undefined }), propertyNames: fc.option(fc.subarray(ATTRS, { minLength: 1 }), { nil: undefined }) })
  .map(({ entities, propertyNames }) => (entities === undefined && propertyNames === undefined ? { propertyNames: [ATTRS[0]] } : { ...(entities && { entities }), ...(propertyNames && { propertyNames }) }));
const typeExpr: fc.Arbitrary<TypeExpr> = fc.oneof(
  fc.constantFrom(...TYPES).map((iri): TypeExpr => ({ kind: 'type', iri })),
  fc.subarray(TYPES, { minLength: 2, maxLength: 2 }).map((xs): TypeExpr => ({ kind: 'or', items: xs.map((iri) => ({ kind: 'type', iri })) })),
  fc.subarray(TYPES, { minLength: 2, maxLength: 2 }).map((xs): TypeExpr => ({ kind: 'and', items: xs.map((iri) => ({ kind: 'type', iri })) })),
);
const target = fc.record(
  { type: typeExpr, ids: fc.subarray(IDS, { minLength: 1, maxLength: 2 }), idPattern: fc.constantFrom(...PATTERNS), attrs: fc.subarray(ATTRS, { minLength: 1, maxLength: 2 }) },
  { requiredKeys: [] },
);

function registration(information: RegistrationInfo[]): ContextSourceRegistration {
  const now = new Date().toISOString();
  return { id: uniqueId('ContextSourceRegistration'), type: 'ContextSourceRegistration', information, endpoint: 'http://s', mode: 'inclusive', operations: ['federationOps'], context: [], createdAt: now, modifiedAt: now };
}

forEachEngine('Registration store', (_engine, store, client) => {
  it('queryRegistrations should select exactly what matchRegistration matches when entities, ids, patterns and attrs vary', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(info, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 4 }), target, async (infos, t) => {
        const tenant = uniqueTenant('match');
        const regs = infos.map(registration);
        for (const r of regs) assert.deepEqual(await store().registrations.createRegistration(tenant, r), { ok: true, value: true });
        const found = await store().registrations.queryRegistrations(tenant, { ...t, limit: 100, offset: 0, count: true });
        const expected = regs.filter((r) => matchRegistration(r, { kind: 'query', ...t })).map((r) => r.id).sort();
        assert.deepEqual(found.items.map((s) => s.registration.id), expected);
        assert.equal(found.count, expected.length);
      }),
      { numRuns: 40 },
    );
  });

  it('updateRegistration should change nothing and queue nothing when the change throws', async () => {
    const tenant = uniqueTenant('rollback');
    const r = registration([{ entities: [{ types: [TYPES[0]] }] }]);
    await store().registrations.createRegistration(tenant, r);
    const sub = { id: uniqueId('Subscription'), type: 'Subscription', entities: [{ type: { kind: 'type', iri: TYPES[0] } }], notificationTrigger: [], isActive: true,
      notification: { format: 'normalized', sysAttrs: false, showChanges: false, endpoint: { uri: 'http://127.0.0.1:9/x' } }, context: [], createdAt: r.createdAt, modifiedAt: r.createdAt } as Subscription;
    assert.ok(await store().registrations.createCsourceSubscription(tenant, sub));
    const queued = async () => (await client().query<{ n: number }>('SELECT count(*)::int AS n FROM notification_outbox WHERE subscription_id = $1', [sub.id]))[0].n;
    assert.equal(await queued(), 1, 'the first notification');
    await assert.rejects(
      store().registrations.updateRegistration(tenant, r.id, () => {
        throw new ProblemError(problem('BadRequestData', 'no'));
      }),
      ProblemError,
    );
    assert.deepEqual((await store().registrations.getRegistration(tenant, r.id))?.registration, r);
    assert.equal(await queued(), 1);
  });

  it('createRegistration should answer AlreadyExists and queue nothing when the registration conflicts', async () => {
    const tenant = uniqueTenant('conflict');
    const exclusive = { ...registration([{ entities: [{ types: [TYPES[0]], id: IDS[0] }], propertyNames: [ATTRS[0]] }]), mode: 'exclusive' as const };
    assert.deepEqual(await store().registrations.createRegistration(tenant, exclusive), { ok: true, value: true });
    const other = registration([{ entities: [{ types: [TYPES[0]] }] }]);
    const r = await store().registrations.createRegistration(tenant, other);
    assert.equal(r.ok, false);
    assert.equal(r.ok ? undefined : r.problem.kind, 'AlreadyExists');
    assert.equal(await store().registrations.getRegistration(tenant, other.id), undefined);
  });

  it('deleteRegistration should remove its information rows with it', async () => {
    const tenant = uniqueTenant('delete');
    const r = registration([{ entities: [{ types: [TYPES[0]], id: IDS[0] }, { types: [TYPES[1]] }], propertyNames: [ATTRS[0]] }]);
    await store().registrations.createRegistration(tenant, r);
    const rows = async () => (await client().query<{ n: number }>('SELECT count(*)::int AS n FROM csource_registration_information WHERE tenant = $1', [tenant]))[0].n;
    assert.equal(await rows(), 2);
    assert.equal(await store().registrations.deleteRegistration(tenant, r.id), true);
    assert.equal(await rows(), 0);
    assert.equal(await store().registrations.deleteRegistration(tenant, r.id), false);
  });
  it('recordDistributed should count successes and failures when distributed operations are sent', async () => {
    const tenant = uniqueTenant('record');
    const r = registration([{ propertyNames: [ATTRS[0]] }]);
    assert.deepEqual(await store().registrations.createRegistration(tenant, r), { ok: true, value: true });
    await store().registrations.recordDistributed(tenant, r.id, { ok: true, at: '2026-01-01T00:00:00.000Z' });
    await store().registrations.recordDistributed(tenant, r.id, { ok: false, at: '2026-01-02T00:00:00.000Z' });
    await store().registrations.recordDistributed(tenant, 'urn:ngsi-ld:ContextSourceRegistration:gone', { ok: true, at: '2026-01-03T00:00:00.000Z' });
    const stored = await store().registrations.getRegistration(tenant, r.id);
    assert.deepEqual(stored?.status, { timesSent: 2, timesFailed: 1, lastSuccess: '2026-01-01T00:00:00.000Z', lastFailure: '2026-01-02T00:00:00.000Z' });
  });
});
