import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NGSI_LD_NULL, type Entity } from './model.js';
import {
  SCOPE,
  appendAttributes,
  deleteAttribute,
  mergeEntity,
  partialAttributeUpdate,
  replaceAttribute,
  replaceEntity,
  updateAttributes,
  upsertUpdate,
} from './ops.js';
import { jsonMergePatch } from './ops-instance.js';
import { EX, ID, NOW, T0, entity, given, stored } from './ops-fixtures.test-util.js';
import type { Result } from '../problem.js';

const SPEED = `${EX}speed`;
const TEMP = `${EX}temperature`;
const OWNER = `${EX}owner`;
const SOURCE = `${EX}source`;
const UNIT = `${EX}unit`;
const GPS = 'urn:ngsi-ld:Dataset:gps';
const RADAR = 'urn:ngsi-ld:Dataset:radar';

function value<T>(r: Result<T>): T {
  assert.ok(r.ok, r.ok ? '' : `${r.problem.kind}: ${r.problem.detail}`);
  return r.value;
}

function problemKind<T>(r: Result<T>): string {
  assert.ok(!r.ok, 'expected a failure');
  return r.problem.kind;
}

/** An entity with a default `speed`, a `speed` from GPS, and a `temperature` with unitCode. */
const vehicle = (): Entity =>
  entity({
    [SPEED]: [stored({ type: 'Property', value: 50 }), stored({ type: 'Property', value: 52, datasetId: GPS })],
    [TEMP]: [stored({ type: 'Property', value: 25, unitCode: 'CEL', observedAt: '2022-03-14T01:59:26.535Z' })],
  });

describe('appendAttributes', () => {
  it('appendAttributes should add the attribute with createdAt = now when it does not exist', () => {
    const r = appendAttributes(vehicle(), { [OWNER]: [given({ type: 'Relationship', object: 'urn:ngsi-ld:Person:1' })] }, { noOverwrite: false, now: NOW });
    assert.deepEqual(r.updated, [OWNER]);
    assert.deepEqual(r.notUpdated, []);
    assert.deepEqual(r.entity.attrs[OWNER], [{ type: 'Relationship', object: 'urn:ngsi-ld:Person:1', createdAt: NOW, modifiedAt: NOW }]);
    assert.equal(r.entity.modifiedAt, NOW);
    assert.equal(r.entity.createdAt, T0);
  });

  it('appendAttributes should replace the instance and keep its createdAt when it exists and overwrite is allowed', () => {
    const r = appendAttributes(vehicle(), { [TEMP]: [given({ type: 'Property', value: 30 })] }, { noOverwrite: false, now: NOW });
    assert.deepEqual(r.entity.attrs[TEMP], [{ type: 'Property', value: 30, createdAt: T0, modifiedAt: NOW }]);
    assert.deepEqual(r.updated, [TEMP]);
  });

  it('appendAttributes should leave the instance untouched and report it when it exists and noOverwrite is set', () => {
    const e = vehicle();
    const r = appendAttributes(e, { [TEMP]: [given({ type: 'Property', value: 30 })] }, { noOverwrite: true, now: NOW });
    assert.deepEqual(r.updated, []);
    assert.equal(r.notUpdated.length, 1);
    assert.equal(r.notUpdated[0].attributeName, TEMP);
    assert.match(r.notUpdated[0].reason, /already exists/);
    assert.equal(r.entity, e, 'nothing changed: the entity, modifiedAt included, is unchanged');
  });

  it('appendAttributes should add a new instance when only an instance with another datasetId exists', () => {
    const r = appendAttributes(vehicle(), { [SPEED]: [given({ type: 'Property', value: 49, datasetId: RADAR })] }, { noOverwrite: true, now: NOW });
    assert.deepEqual(r.entity.attrs[SPEED].map((a) => a.datasetId), [undefined, GPS, RADAR]);
    assert.deepEqual(r.notUpdated, []);
  });

  it('appendAttributes should overwrite only the instance with the same datasetId when several exist', () => {
    const r = appendAttributes(vehicle(), { [SPEED]: [given({ type: 'Property', value: 60, datasetId: GPS })] }, { noOverwrite: false, now: NOW });
    assert.deepEqual(r.entity.attrs[SPEED], [vehicle().attrs[SPEED][0], { type: 'Property', value: 60, datasetId: GPS, createdAt: T0, modifiedAt: NOW }]);
  });

  it('appendAttributes should add the types the entity lacks when the fragment has types', () => {
    const r = appendAttributes(vehicle(), {}, { noOverwrite: false, now: NOW, types: [`${EX}Vehicle`, `${EX}Car`] });
    assert.deepEqual(r.entity.types, [`${EX}Vehicle`, `${EX}Car`]);
    assert.equal(r.entity.modifiedAt, NOW);
  });

  it('appendAttributes should replace the scope when overwrite is allowed', () => {
    const r = appendAttributes(entity({}, { scope: ['/a'] }), {}, { noOverwrite: false, now: NOW, scope: ['/b'] });
    assert.deepEqual(r.entity.scope, ['/b']);
  });

  it('appendAttributes should union the scopes when noOverwrite is set', () => {
    const r = appendAttributes(entity({}, { scope: ['/a'] }), {}, { noOverwrite: true, now: NOW, scope: ['/b', '/a'] });
    assert.deepEqual(r.entity.scope, ['/a', '/b']);
  });

  it('appendAttributes should report and not store an attribute when it is NGSI-LD Null', () => {
    const e = vehicle();
    const r = appendAttributes(e, { [TEMP]: [given({ type: 'Property', value: NGSI_LD_NULL })] }, { noOverwrite: false, now: NOW });
    assert.deepEqual(r.entity, e);
    assert.equal(r.notUpdated[0].attributeName, TEMP);
  });
});

describe('updateAttributes', () => {
  it('updateAttributes should replace the whole instance and drop members not given when the attribute exists (5.5.8 example 2)', () => {
    const r = updateAttributes(vehicle(), { [TEMP]: [given({ type: 'Property', value: 100, observedAt: '2022-03-14T13:00:00.000Z' })] }, NOW);
    assert.deepEqual(r.entity.attrs[TEMP], [{ type: 'Property', value: 100, observedAt: '2022-03-14T13:00:00.000Z', createdAt: T0, modifiedAt: NOW }]);
    assert.deepEqual(r.updated, [TEMP]);
  });

  it('updateAttributes should append the attribute when it does not exist (5.6.2 since V1.6.1)', () => {
    const r = updateAttributes(vehicle(), { [OWNER]: [given({ type: 'Relationship', object: 'urn:ngsi-ld:Person:1' })] }, NOW);
    assert.equal(r.entity.attrs[OWNER][0].createdAt, NOW);
    assert.deepEqual(r.updated, [OWNER]);
  });

  it('updateAttributes should append an instance when no instance has its datasetId', () => {
    const r = updateAttributes(vehicle(), { [TEMP]: [given({ type: 'Property', value: 1, datasetId: GPS })] }, NOW);
    assert.equal(r.entity.attrs[TEMP].length, 2);
    assert.deepEqual(r.entity.attrs[TEMP][0], vehicle().attrs[TEMP][0]);
  });

  it('updateAttributes should delete the instance when its value is NGSI-LD Null (5.5.8 example 3)', () => {
    const r = updateAttributes(vehicle(), { [SPEED]: [given({ type: 'Property', value: NGSI_LD_NULL, datasetId: GPS })] }, NOW);
    assert.deepEqual(r.entity.attrs[SPEED], [vehicle().attrs[SPEED][0]]);
    assert.deepEqual(r.updated, [SPEED]);
  });

  it('updateAttributes should remove the attribute when its last instance is deleted with NGSI-LD Null', () => {
    const r = updateAttributes(vehicle(), { [TEMP]: [given({ type: 'Property', value: NGSI_LD_NULL })] }, NOW);
    assert.equal(TEMP in r.entity.attrs, false);
  });

  it('updateAttributes should report not updated when NGSI-LD Null targets a missing instance', () => {
    const r = updateAttributes(vehicle(), { [TEMP]: [given({ type: 'Property', value: NGSI_LD_NULL, datasetId: RADAR })] }, NOW);
    assert.deepEqual(r.updated, []);
    assert.equal(r.notUpdated[0].attributeName, TEMP);
    assert.match(r.notUpdated[0].reason, /does not exist/);
  });

  it('updateAttributes should replace the scope when the entity has a scope', () => {
    const r = updateAttributes(entity({}, { scope: ['/a'] }), {}, NOW, { scope: ['/b'] });
    assert.deepEqual(r.entity.scope, ['/b']);
    assert.deepEqual(r.notUpdated, []);
  });

  it('updateAttributes should ignore and report the scope when the entity has no scope (test 011_05_02)', () => {
    const r = updateAttributes(entity({}), {}, NOW, { scope: ['/b'] });
    assert.equal(r.entity.scope, undefined);
    assert.deepEqual(r.notUpdated.map((n) => n.attributeName), [SCOPE]);
  });

  it('updateAttributes should add only the new types when the fragment repeats an existing type (test 011_06)', () => {
    const r = updateAttributes(entity({}), {}, NOW, { types: [`${EX}Vehicle`, `${EX}Car`, `${EX}Car`] });
    assert.deepEqual(r.entity.types, [`${EX}Vehicle`, `${EX}Car`]);
  });

  it('updateAttributes should keep the createdAt of sub-attributes that are given again', () => {
    const e = entity({ [SPEED]: [stored({ type: 'Property', value: 1, [SOURCE]: { type: 'Property', value: 'GPS' } })] });
    const r = updateAttributes(e, { [SPEED]: [given({ type: 'Property', value: 2, [SOURCE]: { type: 'Property', value: 'radar' } })] }, NOW);
    assert.deepEqual(r.entity.attrs[SPEED][0][SOURCE], { type: 'Property', value: 'radar', createdAt: T0, modifiedAt: NOW });
  });
});

describe('partialAttributeUpdate', () => {
  it('partialAttributeUpdate should overwrite the members given and keep the others (5.5.8 example 1)', () => {
    const r = value(partialAttributeUpdate(vehicle(), TEMP, given({ type: 'Property', value: 100, observedAt: '2022-03-14T13:00:00.000Z' }), NOW));
    assert.deepEqual(r.attrs[TEMP], [{ type: 'Property', value: 100, unitCode: 'CEL', observedAt: '2022-03-14T13:00:00.000Z', createdAt: T0, modifiedAt: NOW }]);
    assert.equal(r.modifiedAt, NOW);
  });

  it('partialAttributeUpdate should update only the instance selected when the fragment has a datasetId', () => {
    const r = value(partialAttributeUpdate(vehicle(), SPEED, { value: 70, datasetId: GPS }, NOW));
    assert.deepEqual(r.attrs[SPEED][0], vehicle().attrs[SPEED][0]);
    assert.deepEqual(r.attrs[SPEED][1], { type: 'Property', value: 70, datasetId: GPS, createdAt: T0, modifiedAt: NOW });
  });

  it('partialAttributeUpdate should replace an object value whole rather than merge it', () => {
    const e = entity({ [TEMP]: [stored({ type: 'Property', value: { a: 1, b: 2 } })] });
    const r = value(partialAttributeUpdate(e, TEMP, { value: { a: 3 } }, NOW));
    assert.deepEqual(r.attrs[TEMP][0].value, { a: 3 });
  });

  it('partialAttributeUpdate should fail with ResourceNotFound when the attribute does not exist', () => {
    assert.equal(problemKind(partialAttributeUpdate(vehicle(), OWNER, { object: 'urn:x:1' }, NOW)), 'ResourceNotFound');
  });

  it('partialAttributeUpdate should fail with ResourceNotFound when no instance has the datasetId', () => {
    assert.equal(problemKind(partialAttributeUpdate(vehicle(), TEMP, { value: 1, datasetId: GPS }, NOW)), 'ResourceNotFound');
  });

  it('partialAttributeUpdate should fail with ResourceNotFound when only non-default instances exist and no datasetId is given', () => {
    const e = entity({ [SPEED]: [stored({ type: 'Property', value: 1, datasetId: GPS })] });
    assert.equal(problemKind(partialAttributeUpdate(e, SPEED, { value: 2 }, NOW)), 'ResourceNotFound');
  });

  it('partialAttributeUpdate should fail with BadRequestData when the fragment changes the attribute type', () => {
    assert.equal(problemKind(partialAttributeUpdate(vehicle(), TEMP, { type: 'Relationship', object: 'urn:x:1' }, NOW)), 'BadRequestData');
  });

  it('partialAttributeUpdate should delete a sub-attribute and a member when they are NGSI-LD Null', () => {
    const e = entity({ [TEMP]: [stored({ type: 'Property', value: 1, unitCode: 'CEL', [SOURCE]: { type: 'Property', value: 'x' } })] });
    const r = value(partialAttributeUpdate(e, TEMP, { unitCode: NGSI_LD_NULL, [SOURCE]: { type: 'Property', value: NGSI_LD_NULL } }, NOW));
    assert.deepEqual(r.attrs[TEMP], [{ type: 'Property', value: 1, createdAt: T0, modifiedAt: NOW }]);
  });

  it('partialAttributeUpdate should fail with BadRequestData when the fragment would delete the whole attribute', () => {
    assert.equal(problemKind(partialAttributeUpdate(vehicle(), TEMP, { type: 'Property', value: NGSI_LD_NULL }, NOW)), 'BadRequestData');
  });

  it('partialAttributeUpdate should fail with BadRequestData when the target is scope', () => {
    assert.equal(problemKind(partialAttributeUpdate(entity({}, { scope: ['/a'] }), SCOPE, { value: '/b' }, NOW)), 'BadRequestData');
  });
});

describe('replaceAttribute', () => {
  it('replaceAttribute should replace the instance completely and keep its createdAt', () => {
    const r = value(replaceAttribute(vehicle(), TEMP, [given({ type: 'Property', value: 7 })], NOW));
    assert.deepEqual(r.attrs[TEMP], [{ type: 'Property', value: 7, createdAt: T0, modifiedAt: NOW }]);
  });

  it('replaceAttribute should replace only the instance with the datasetId given', () => {
    const r = value(replaceAttribute(vehicle(), SPEED, [given({ type: 'Property', value: 7, datasetId: GPS })], NOW));
    assert.deepEqual(r.attrs[SPEED][0], vehicle().attrs[SPEED][0]);
    assert.equal(r.attrs[SPEED][1].value, 7);
  });

  it('replaceAttribute should fail with ResourceNotFound when the attribute does not exist', () => {
    assert.equal(problemKind(replaceAttribute(vehicle(), OWNER, [given({ type: 'Relationship', object: 'urn:x:1' })], NOW)), 'ResourceNotFound');
  });

  it('replaceAttribute should fail with ResourceNotFound when no instance has the datasetId', () => {
    assert.equal(problemKind(replaceAttribute(vehicle(), TEMP, [given({ type: 'Property', value: 1, datasetId: RADAR })], NOW)), 'ResourceNotFound');
  });

  it('replaceAttribute should fail with BadRequestData when the target is scope', () => {
    assert.equal(problemKind(replaceAttribute(vehicle(), SCOPE, [given({ type: 'Property', value: '/a' })], NOW)), 'BadRequestData');
  });
});

describe('deleteAttribute', () => {
  it('deleteAttribute should remove only the default instance when no datasetId is given', () => {
    const r = value(deleteAttribute(vehicle(), SPEED, { deleteAll: false, now: NOW }));
    assert.deepEqual(r.attrs[SPEED], [vehicle().attrs[SPEED][1]]);
    assert.equal(r.modifiedAt, NOW);
  });

  it('deleteAttribute should remove only the instance with the datasetId when one is given', () => {
    const r = value(deleteAttribute(vehicle(), SPEED, { datasetId: GPS, deleteAll: false, now: NOW }));
    assert.deepEqual(r.attrs[SPEED], [vehicle().attrs[SPEED][0]]);
  });

  it('deleteAttribute should remove every instance when deleteAll is set', () => {
    const r = value(deleteAttribute(vehicle(), SPEED, { deleteAll: true, now: NOW }));
    assert.equal(SPEED in r.attrs, false);
    assert.deepEqual(r.attrs[TEMP], vehicle().attrs[TEMP]);
  });

  it('deleteAttribute should remove the attribute when its last instance is deleted', () => {
    const r = value(deleteAttribute(vehicle(), TEMP, { deleteAll: false, now: NOW }));
    assert.deepEqual(Object.keys(r.attrs), [SPEED]);
  });

  it('deleteAttribute should fail with ResourceNotFound when the attribute does not exist', () => {
    assert.equal(problemKind(deleteAttribute(vehicle(), OWNER, { deleteAll: true, now: NOW })), 'ResourceNotFound');
  });

  it('deleteAttribute should fail with ResourceNotFound when no instance has the datasetId', () => {
    assert.equal(problemKind(deleteAttribute(vehicle(), TEMP, { datasetId: GPS, deleteAll: false, now: NOW })), 'ResourceNotFound');
  });

  it('deleteAttribute should fail with ResourceNotFound when only non-default instances exist and no datasetId is given', () => {
    const e = entity({ [SPEED]: [stored({ type: 'Property', value: 1, datasetId: GPS })] });
    assert.equal(problemKind(deleteAttribute(e, SPEED, { deleteAll: false, now: NOW })), 'ResourceNotFound');
  });

  it('deleteAttribute should remove the scope when the target is scope', () => {
    const r = value(deleteAttribute(entity({}, { scope: ['/a'] }), SCOPE, { deleteAll: false, now: NOW }));
    assert.equal('scope' in r, false);
    assert.equal(problemKind(deleteAttribute(entity({}), SCOPE, { deleteAll: false, now: NOW })), 'ResourceNotFound');
  });
});

describe('mergeEntity', () => {
  it('mergeEntity should update value and observedAt and keep unitCode (5.5.12 example 1)', () => {
    const r = mergeEntity(vehicle(), { attrs: { [TEMP]: [given({ type: 'Property', value: 100, observedAt: '2022-03-14T13:00:00.000Z' })] } }, NOW);
    assert.deepEqual(r.attrs[TEMP], [{ type: 'Property', value: 100, unitCode: 'CEL', observedAt: '2022-03-14T13:00:00.000Z', createdAt: T0, modifiedAt: NOW }]);
    assert.equal(r.modifiedAt, NOW);
  });

  it('mergeEntity should merge a JSON object value and remove members set to NGSI-LD Null (5.5.12 example 2)', () => {
    const ADDRESS = `${EX}address`;
    const e = entity({ [ADDRESS]: [stored({ type: 'Property', value: { street: 'Straße des 17. Juni', city: 'Berlin', country: 'Germany' } })] });
    const r = mergeEntity(e, { attrs: { [ADDRESS]: [given({ type: 'Property', value: { street: 'Pariser Platz', country: NGSI_LD_NULL } })] } }, NOW);
    assert.deepEqual(r.attrs[ADDRESS][0].value, { street: 'Pariser Platz', city: 'Berlin' });
  });

  it('mergeEntity should replace an array value rather than merge it', () => {
    const e = entity({ [TEMP]: [stored({ type: 'Property', value: [1, 2, 3] })] });
    const r = mergeEntity(e, { attrs: { [TEMP]: [given({ type: 'Property', value: [4] })] } }, NOW);
    assert.deepEqual(r.attrs[TEMP][0].value, [4]);
  });

  it('mergeEntity should replace a GeoProperty value rather than merge the geometries', () => {
    const LOC = `${EX}where`;
    const e = entity({ [LOC]: [stored({ type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2], bbox: [1, 2, 1, 2] } })] });
    const r = mergeEntity(e, { attrs: { [LOC]: [given({ type: 'GeoProperty', value: { type: 'Point', coordinates: [3, 4] } })] } }, NOW);
    assert.deepEqual(r.attrs[LOC][0].value, { type: 'Point', coordinates: [3, 4] });
  });

  it('mergeEntity should merge languageMap entries when both have a languageMap', () => {
    const NAME = `${EX}name`;
    const e = entity({ [NAME]: [stored({ type: 'LanguageProperty', languageMap: { en: 'Car', fr: 'Voiture' } })] });
    const r = mergeEntity(e, { attrs: { [NAME]: [given({ type: 'LanguageProperty', languageMap: { de: 'Auto', fr: NGSI_LD_NULL } })] } }, NOW);
    assert.deepEqual(r.attrs[NAME][0].languageMap, { en: 'Car', de: 'Auto' });
  });

  it('mergeEntity should delete the instance when the attribute is NGSI-LD Null', () => {
    const r = mergeEntity(vehicle(), { attrs: { [SPEED]: [given({ type: 'Property', value: NGSI_LD_NULL, datasetId: GPS })] } }, NOW);
    assert.deepEqual(r.attrs[SPEED], [vehicle().attrs[SPEED][0]]);
  });

  it('mergeEntity should ignore NGSI-LD Null when the targeted instance does not exist', () => {
    const e = vehicle();
    const r = mergeEntity(e, { attrs: { [OWNER]: [given({ type: 'Relationship', object: NGSI_LD_NULL })] } }, NOW);
    assert.equal(r, e);
  });

  it('mergeEntity should merge sub-attributes recursively, keep their createdAt and delete those set to NGSI-LD Null', () => {
    const e = entity({
      [SPEED]: [stored({ type: 'Property', value: 1, [SOURCE]: { type: 'Property', value: 'GPS', [UNIT]: { type: 'Property', value: 'x' } }, [UNIT]: { type: 'Property', value: 'KMH' } })],
    });
    const r = mergeEntity(e, { attrs: { [SPEED]: [given({ type: 'Property', [SOURCE]: { type: 'Property', value: 'radar' }, [UNIT]: { type: 'Property', value: NGSI_LD_NULL } })] } }, NOW);
    assert.deepEqual(r.attrs[SPEED][0], {
      type: 'Property',
      value: 1,
      createdAt: T0,
      modifiedAt: NOW,
      [SOURCE]: { type: 'Property', value: 'radar', createdAt: T0, modifiedAt: NOW, [UNIT]: { type: 'Property', value: 'x', createdAt: T0, modifiedAt: T0 } },
    });
  });

  it('mergeEntity should append an instance when no instance has its datasetId and merge the one that has', () => {
    const r = mergeEntity(vehicle(), { attrs: { [SPEED]: [given({ type: 'Property', value: 53, datasetId: GPS }), given({ type: 'Property', value: 49, datasetId: RADAR })] } }, NOW);
    assert.deepEqual(r.attrs[SPEED].map((a) => [a.datasetId, a.value, a.createdAt]), [
      [undefined, 50, T0],
      [GPS, 53, T0],
      [RADAR, 49, NOW],
    ]);
  });

  it('mergeEntity should add the new types and keep the existing ones', () => {
    const r = mergeEntity(vehicle(), { types: [`${EX}Car`], attrs: {} }, NOW);
    assert.deepEqual(r.types, [`${EX}Vehicle`, `${EX}Car`]);
  });

  it('mergeEntity should replace the scope when the fragment has one and remove it when it is NGSI-LD Null', () => {
    const e = entity({}, { scope: ['/a'] });
    assert.deepEqual(mergeEntity(e, { scope: ['/b', '/c'], attrs: {} }, NOW).scope, ['/b', '/c']);
    assert.equal('scope' in mergeEntity(e, { scope: [NGSI_LD_NULL], attrs: {} }, NOW), false);
  });

  it('mergeEntity should set the common observedAt when the existing attribute has observedAt and the fragment does not', () => {
    const OBS = '2024-05-01T00:00:00.000Z';
    const e = entity({ [TEMP]: vehicle().attrs[TEMP], [SPEED]: [stored({ type: 'Property', value: 1 })] });
    const r = mergeEntity(e, { attrs: { [TEMP]: [given({ type: 'Property', value: 3 })], [SPEED]: [given({ type: 'Property', value: 2 })] } }, NOW, { observedAt: OBS });
    assert.equal(r.attrs[TEMP][0].observedAt, OBS);
    assert.equal(r.attrs[SPEED][0].observedAt, undefined);
  });

  it('mergeEntity should drop the old value members when the attribute type changes', () => {
    const r = mergeEntity(vehicle(), { attrs: { [TEMP]: [given({ type: 'Relationship', object: 'urn:x:1' })] } }, NOW);
    assert.deepEqual(r.attrs[TEMP][0], { type: 'Relationship', object: 'urn:x:1', unitCode: 'CEL', observedAt: '2022-03-14T01:59:26.535Z', createdAt: T0, modifiedAt: NOW });
  });

  it('mergeEntity should keep the existing attribute type when the fragment is simplified', () => {
    const e = entity({ [OWNER]: [stored({ type: 'Relationship', object: 'urn:x:1' })] });
    const r = mergeEntity(e, { attrs: { [OWNER]: [given({ type: 'Property', value: 'urn:x:2' })] } }, NOW, { simplified: true });
    assert.deepEqual(r.attrs[OWNER], [{ type: 'Relationship', object: 'urn:x:2', createdAt: T0, modifiedAt: NOW }]);
  });

  it('mergeEntity should replace only the language of the common tag when a simplified LanguageProperty is a string', () => {
    const NAME = `${EX}name`;
    const e = entity({ [NAME]: [stored({ type: 'LanguageProperty', languageMap: { en: 'Car', fr: 'Voiture' } })] });
    const r = mergeEntity(e, { attrs: { [NAME]: [given({ type: 'Property', value: 'Bagnole' })] } }, NOW, { simplified: true, lang: 'fr' });
    assert.deepEqual(r.attrs[NAME][0].languageMap, { en: 'Car', fr: 'Bagnole' });
  });

  it('mergeEntity should add an attribute without its NGSI-LD Null sub-attributes when it does not exist', () => {
    const r = mergeEntity(vehicle(), { attrs: { [OWNER]: [given({ type: 'Relationship', object: 'urn:x:1', [SOURCE]: { type: 'Property', value: NGSI_LD_NULL } })] } }, NOW);
    assert.deepEqual(r.attrs[OWNER], [{ type: 'Relationship', object: 'urn:x:1', createdAt: NOW, modifiedAt: NOW }]);
  });
});

describe('replaceEntity', () => {
  it('replaceEntity should replace types, scope and attributes and keep only id and createdAt', () => {
    const e = entity({ [SPEED]: vehicle().attrs[SPEED] }, { scope: ['/a'] });
    const r = replaceEntity(e, entity({ [TEMP]: [given({ type: 'Property', value: 1 })] }, { id: 'urn:other', types: [`${EX}Car`], createdAt: NOW }), NOW);
    assert.deepEqual(r, {
      id: ID,
      types: [`${EX}Car`],
      createdAt: T0,
      modifiedAt: NOW,
      attrs: { [TEMP]: [{ type: 'Property', value: 1, createdAt: NOW, modifiedAt: NOW }] },
    });
  });

  it('replaceEntity should give attributes createdAt = now even when an attribute of the same name existed', () => {
    const r = replaceEntity(vehicle(), entity({ [TEMP]: [stored({ type: 'Property', value: 1 })] }), NOW);
    assert.equal(r.attrs[TEMP][0].createdAt, NOW);
  });
});

describe('upsertUpdate', () => {
  it('upsertUpdate should add types, replace given attributes keeping createdAt, append new ones and keep the others', () => {
    const incoming = entity({ [TEMP]: [given({ type: 'Property', value: 9 })], [OWNER]: [given({ type: 'Relationship', object: 'urn:x:1' })] }, { types: [`${EX}Car`] });
    const r = upsertUpdate(vehicle(), incoming, NOW);
    assert.deepEqual(r.types, [`${EX}Vehicle`, `${EX}Car`]);
    assert.deepEqual(r.attrs[TEMP], [{ type: 'Property', value: 9, createdAt: T0, modifiedAt: NOW }]);
    assert.equal(r.attrs[OWNER][0].createdAt, NOW);
    assert.deepEqual(r.attrs[SPEED], vehicle().attrs[SPEED]);
    assert.equal(r.createdAt, T0);
  });
});

describe('jsonMergePatch', () => {
  it('jsonMergePatch should follow RFC 7396 when given its appendix A cases', () => {
    const cases: Array<[unknown, unknown, unknown]> = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [['a', 'b'], ['c', 'd'], ['c', 'd']],
      [{ a: 'b' }, ['c'], ['c']],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, expected] of cases) assert.deepEqual(jsonMergePatch(target, patch), expected);
  });

  it('jsonMergePatch should remove a member when it is NGSI-LD Null', () => {
    assert.deepEqual(jsonMergePatch({ a: 1, b: 2 }, { a: NGSI_LD_NULL }), { b: 2 });
  });
});
