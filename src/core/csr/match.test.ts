import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TypeExpr } from '../query/type-expr.js';
import { byPrecedence, matchRegistration, registrationsConflict, type EntityTarget } from './match.js';
import type { ContextSourceRegistration, RegistrationInfo, RegistrationMode } from './model.js';

const E = 'http://e/';
const t = (n: string): TypeExpr => ({ kind: 'type', iri: E + n });
const or = (...items: TypeExpr[]): TypeExpr => ({ kind: 'or', items });
const and = (...items: TypeExpr[]): TypeExpr => ({ kind: 'and', items });

function reg(information: RegistrationInfo[], more: Partial<ContextSourceRegistration> = {}): ContextSourceRegistration {
  return {
    id: 'urn:r:1',
    type: 'ContextSourceRegistration',
    information,
    endpoint: 'http://s',
    mode: 'inclusive',
    operations: ['federationOps'],
    context: [],
    createdAt: '2024-01-01T00:00:00Z',
    modifiedAt: '2024-01-01T00:00:00Z',
    ...more,
  };
}
const car = (more: Partial<{ id: string; idPattern: string }> = {}) => ({ types: [`${E}Car`], ...more });
const entity = (id: string, types?: string[], attrs?: string[]): EntityTarget => ({ kind: 'entity', id, types: types?.map((x) => E + x), attrs: attrs?.map((a) => E + a) });
const query = (q: Omit<Extract<EntityTarget, { kind: 'query' }>, 'kind'>): EntityTarget => ({ kind: 'query', ...q });

describe('matchRegistration (4.3.6, 5.12)', () => {
  it('matchRegistration should match an entity of a registered type when the registration names no id', () => {
    const m = matchRegistration(reg([{ entities: [car()] }]), entity('urn:Car:1', ['Car']));
    assert.deepEqual(m, { registration: reg([{ entities: [car()] }]), entities: [car()] });
  });

  it('matchRegistration should not match an entity lacking one of the types an EntityInfo names', () => {
    const r = reg([{ entities: [{ types: [`${E}Car`, `${E}Electric`] }] }]);
    assert.equal(matchRegistration(r, entity('urn:Car:1', ['Car'])), undefined);
    assert.ok(matchRegistration(r, entity('urn:Car:1', ['Car', 'Electric', 'Red'])));
    // an entity whose types are not known (retrieve by id alone) may be any of them
    assert.ok(matchRegistration(r, entity('urn:Car:1')));
  });

  it('matchRegistration should match an entity by the registered id or idPattern only', () => {
    const byId = reg([{ entities: [car({ id: 'urn:Car:1' })] }]);
    assert.ok(matchRegistration(byId, entity('urn:Car:1', ['Car'])));
    assert.equal(matchRegistration(byId, entity('urn:Car:2', ['Car'])), undefined);
    const byPattern = reg([{ entities: [car({ idPattern: ':[12]$' })] }]);
    assert.ok(matchRegistration(byPattern, entity('urn:Car:2', ['Car'])));
    assert.equal(matchRegistration(byPattern, entity('urn:Car:3', ['Car'])), undefined);
  });

  it('matchRegistration should narrow the attributes to those registered when the target asks for several', () => {
    const r = reg([{ entities: [car()], propertyNames: [`${E}speed`], relationshipNames: [`${E}owner`] }]);
    assert.deepEqual(matchRegistration(r, entity('urn:Car:1', ['Car'], ['speed', 'fuel']))?.attrs, [`${E}speed`]);
    assert.equal(matchRegistration(r, entity('urn:Car:1', ['Car'], ['fuel'])), undefined);
    // asking for every attribute, the source is asked for what it registered
    assert.deepEqual(matchRegistration(r, entity('urn:Car:1', ['Car']))?.attrs, [`${E}speed`, `${E}owner`]);
  });

  it('matchRegistration should leave attrs undefined when a matching item registers every attribute', () => {
    const r = reg([{ entities: [car()], propertyNames: [`${E}speed`] }, { entities: [car()] }]);
    assert.equal(matchRegistration(r, entity('urn:Car:1', ['Car']))?.attrs, undefined);
    assert.deepEqual(matchRegistration(r, entity('urn:Car:1', ['Car'], ['fuel']))?.attrs, [`${E}fuel`]);
  });

  it('matchRegistration should match any entity when an item registers attributes only', () => {
    const r = reg([{ propertyNames: [`${E}speed`] }]);
    const m = matchRegistration(r, query({ type: t('Bus'), attrs: [`${E}speed`] }));
    assert.deepEqual(m, { registration: r, attrs: [`${E}speed`] });
    assert.equal(matchRegistration(r, query({ type: t('Bus'), attrs: [`${E}fuel`] })), undefined);
  });

  it('matchRegistration should evaluate the type selection of a query over the registered types', () => {
    const r = reg([{ entities: [{ types: [`${E}Car`, `${E}Bus`] }] }]);
    assert.ok(matchRegistration(r, query({ type: or(t('Truck'), t('Bus')) })));
    assert.ok(matchRegistration(r, query({ type: and(t('Car'), t('Bus')) })));
    assert.equal(matchRegistration(r, query({ type: and(t('Car'), t('Truck')) })), undefined);
  });

  it('matchRegistration should fit query ids and idPattern against registered ids and patterns', () => {
    const r = reg([{ entities: [car({ id: 'urn:Car:1' }), car({ idPattern: '^urn:Car:9' })] }]);
    assert.deepEqual(matchRegistration(r, query({ ids: ['urn:Car:1'] }))?.entities, [car({ id: 'urn:Car:1' })]);
    assert.deepEqual(matchRegistration(r, query({ ids: ['urn:Car:95'] }))?.entities, [car({ idPattern: '^urn:Car:9' })]);
    assert.equal(matchRegistration(r, query({ ids: ['urn:Car:5'] })), undefined);
    // a query pattern is tested on registered ids; two patterns are assumed to overlap
    assert.deepEqual(matchRegistration(r, query({ idPattern: ':1$' }))?.entities, [car({ id: 'urn:Car:1' }), car({ idPattern: '^urn:Car:9' })]);
    assert.deepEqual(matchRegistration(r, query({ idPattern: ':2$' }))?.entities, [car({ idPattern: '^urn:Car:9' })]);
  });

  it('matchRegistration should match only when the registration supports the operation, groups expanded', () => {
    const r = reg([{ entities: [car()] }], { operations: ['retrieveOps', 'createEntity'] });
    assert.ok(matchRegistration(r, entity('urn:Car:1'), { operation: 'queryEntity' }));
    assert.ok(matchRegistration(r, entity('urn:Car:1'), { operation: 'createEntity' }));
    assert.equal(matchRegistration(r, entity('urn:Car:1'), { operation: 'updateAttrs' }), undefined);
    // the default federationOps serves reads, never writes
    assert.equal(matchRegistration(reg([{ entities: [car()] }]), entity('urn:Car:1'), { operation: 'deleteEntity' }), undefined);
  });

  it('matchRegistration should not match once the registration has expired', () => {
    const r = reg([{ entities: [car()] }], { expiresAt: '2024-06-01T00:00:00Z' });
    assert.ok(matchRegistration(r, entity('urn:Car:1'), { now: '2024-05-31T23:59:59Z' }));
    assert.equal(matchRegistration(r, entity('urn:Car:1'), { now: '2024-06-01T00:00:00Z' }), undefined);
  });

  it('matchRegistration should keep sources of history for temporal operations and latest ones for the others', () => {
    const history = reg([{ entities: [car()] }], { observationInterval: { startAt: '2020-01-01T00:00:00Z', endAt: '2021-01-01T00:00:00Z' } });
    const latest = reg([{ entities: [car()] }]);
    const in2020 = { timerel: 'after' as const, timeAt: '2020-06-01T00:00:00Z', timeproperty: 'observedAt' as const };
    assert.equal(matchRegistration(history, entity('urn:Car:1')), undefined);
    assert.ok(matchRegistration(history, entity('urn:Car:1'), { time: in2020 }));
    assert.equal(matchRegistration(history, entity('urn:Car:1'), { time: { ...in2020, timeproperty: 'modifiedAt' } }), undefined);
    assert.equal(matchRegistration(latest, entity('urn:Car:1'), { time: in2020 }), undefined);
  });

  it('byPrecedence should order exclusive, redirect, inclusive, then auxiliary matches', () => {
    const modes: RegistrationMode[] = ['auxiliary', 'inclusive', 'redirect', 'exclusive', 'inclusive'];
    const ordered = byPrecedence(modes.map((mode, i) => ({ registration: { mode }, i })));
    assert.deepEqual(ordered.map((m) => [m.registration.mode, m.i]), [['exclusive', 3], ['redirect', 2], ['inclusive', 1], ['inclusive', 4], ['auxiliary', 0]]);
  });
});

describe('registrationsConflict (4.3.6.3)', () => {
  const exclusive = reg([{ entities: [car({ id: 'urn:Car:1' })], propertyNames: [`${E}speed`] }], { mode: 'exclusive' });

  it('registrationsConflict should hold when an exclusive registration and another cover one attribute of one entity', () => {
    assert.ok(registrationsConflict(exclusive, reg([{ entities: [car({ id: 'urn:Car:1' })], propertyNames: [`${E}speed`, `${E}fuel`] }])));
    assert.ok(registrationsConflict(exclusive, reg([{ entities: [car()] }], { mode: 'redirect' })));
    assert.ok(registrationsConflict(exclusive, reg([{ propertyNames: [`${E}speed`] }])));
    assert.ok(registrationsConflict(exclusive, reg([{ entities: [car({ idPattern: 'Car:1$' })] }])));
  });

  it('registrationsConflict should not hold when the entity, the attribute or the mode differ', () => {
    assert.ok(!registrationsConflict(exclusive, reg([{ entities: [car({ id: 'urn:Car:2' })], propertyNames: [`${E}speed`] }])));
    assert.ok(!registrationsConflict(exclusive, reg([{ entities: [car({ id: 'urn:Car:1' })], propertyNames: [`${E}fuel`] }])));
    assert.ok(!registrationsConflict(exclusive, reg([{ entities: [{ types: [`${E}Bus`] }] }])));
    assert.ok(!registrationsConflict(exclusive, reg([{ entities: [car({ idPattern: 'Car:2$' })] }])));
    assert.ok(!registrationsConflict(exclusive, reg([{ entities: [car({ id: 'urn:Car:1' })] }], { mode: 'auxiliary' })));
    assert.ok(!registrationsConflict(reg([{ entities: [car()] }], { mode: 'redirect' }), reg([{ entities: [car()] }], { mode: 'redirect' })));
  });
});
