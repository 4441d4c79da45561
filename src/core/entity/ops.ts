/**
 * The mutation operations of the NGSI-LD entity API (ETSI GS CIM 009 clause 5.6), as pure functions:
 * stored Entity + parsed request → new Entity. Inputs are never mutated (results may share untouched
 * attributes with them). Attribute instances are identified by (attribute IRI, datasetId); a missing
 * datasetId is the default instance. createdAt of what already existed is kept; modifiedAt = now is set
 * on what was written and on the entity whenever anything changed.
 */
import { NGSI_LD, NGSI_LD_NULL, type Attribute, type Entity } from './model.js';
import { fail, ok, type Result } from '../problem.js';
import {
  freshen,
  isNullMarker,
  mergeInstance,
  mergeNew,
  patchInstance,
  replaceInstance,
  retarget,
  type AttributeFragment,
} from './ops-instance.js';

/** Expanded name of the `scope` keyword: the name clients use to target it on attribute endpoints. */
export const SCOPE = `${NGSI_LD}scope`;

/** Outcome of append/update (clause 5.2.18 UpdateResult); names are expanded IRIs. */
export interface AttrOutcome {
  updated: string[];
  notUpdated: Array<{ attributeName: string; reason: string }>;
}

/** Entity-level members that may come with an attribute fragment (clauses 5.6.2.4, 5.6.3.4). */
export interface EntityMembers {
  types?: string[];
  scope?: string[];
}

/** Working copy: attribute lists are copied on first write, never edited in place. */
interface Draft {
  attrs: Record<string, Attribute[]>;
  types: string[];
  scope: string[] | undefined;
  changed: boolean;
  updated: Set<string>;
  notUpdated: AttrOutcome['notUpdated'];
}

function draft(e: Entity): Draft {
  return { attrs: { ...e.attrs }, types: e.types, scope: e.scope, changed: false, updated: new Set(), notUpdated: [] };
}

function indexOf(d: Draft, iri: string, datasetId: string | undefined): number {
  return d.attrs[iri]?.findIndex((a) => a.datasetId === datasetId) ?? -1;
}

/** Puts an instance at `index` (or appends it when index < 0). */
function put(d: Draft, iri: string, index: number, inst: Attribute): void {
  const list = [...(d.attrs[iri] ?? [])];
  if (index < 0) list.push(inst);
  else list[index] = inst;
  d.attrs[iri] = list;
  d.changed = true;
  d.updated.add(iri);
}

/** Removes instances matching `drop`; the attribute disappears with its last instance. */
function remove(d: Draft, iri: string, drop: (a: Attribute) => boolean): void {
  const list = (d.attrs[iri] ?? []).filter((a) => !drop(a));
  if (list.length > 0) d.attrs[iri] = list;
  else delete d.attrs[iri];
  d.changed = true;
  d.updated.add(iri);
}

function skip(d: Draft, iri: string, reason: string): void {
  d.notUpdated.push({ attributeName: iri, reason });
}

const instanceName = (iri: string, datasetId: string | undefined): string =>
  datasetId === undefined ? `Attribute ${iri}` : `Attribute ${iri} (datasetId ${datasetId})`;

/** Adds the fragment's entity types that the target lacks (clauses 5.5.8, 5.5.12: types are only added). */
function addTypes(d: Draft, types: string[] | undefined): void {
  const add = [...new Set(types ?? [])].filter((t) => t !== NGSI_LD_NULL && !d.types.includes(t));
  if (add.length === 0) return;
  d.types = [...d.types, ...add];
  d.changed = true;
}

const sameSet = (a: string[] | undefined, b: string[] | undefined): boolean =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x) => (b ?? []).includes(x));

function setScope(d: Draft, scope: string[] | undefined): void {
  const next = scope && scope.length > 0 ? [...new Set(scope)] : undefined;
  if (sameSet(d.scope, next)) return;
  d.scope = next;
  d.changed = true;
}

const isNullScope = (scope: string[]): boolean => scope.length === 1 && scope[0] === NGSI_LD_NULL;

function finish(e: Entity, d: Draft, now: string): Entity {
  if (!d.changed) return e;
  const out: Entity = { id: e.id, types: d.types, createdAt: e.createdAt, modifiedAt: now, attrs: d.attrs };
  if (d.scope !== undefined) out.scope = d.scope;
  return out;
}

function outcome(e: Entity, d: Draft, now: string): { entity: Entity } & AttrOutcome {
  return { entity: finish(e, d, now), updated: [...d.updated], notUpdated: d.notUpdated };
}

/**
 * Implements 5.6.3 Append Entity Attributes (POST /entities/{id}/attrs, options=noOverwrite), and through
 * it 5.6.9 Batch Entity Update, which the spec defines as append on each entity. New attributes and
 * instances are added; existing instances (same datasetId) are replaced, createdAt kept, unless
 * noOverwrite. Types are added; scope is replaced, or unioned under noOverwrite.
 * Append does not support NGSI-LD Null: such attributes are reported, not stored.
 */
export function appendAttributes(
  e: Entity,
  attrs: Record<string, Attribute[]>,
  o: { noOverwrite: boolean; now: string } & EntityMembers,
): { entity: Entity } & AttrOutcome {
  const d = draft(e);
  for (const [iri, instances] of Object.entries(attrs)) {
    for (const inst of instances) {
      const i = indexOf(d, iri, inst.datasetId);
      if (isNullMarker(inst)) skip(d, iri, `${instanceName(iri, inst.datasetId)} is NGSI-LD Null, which append does not support`);
      else if (i < 0) put(d, iri, i, freshen(inst, o.now));
      else if (o.noOverwrite) skip(d, iri, `${instanceName(iri, inst.datasetId)} already exists and overwrite is not allowed`);
      else put(d, iri, i, replaceInstance(d.attrs[iri][i], inst, o.now));
    }
  }
  addTypes(d, o.types);
  if (o.scope !== undefined) setScope(d, o.noOverwrite ? [...(d.scope ?? []), ...o.scope] : o.scope);
  return outcome(e, d, o.now);
}

/**
 * Implements 5.6.2 Update Entity Attributes (PATCH /entities/{id}/attrs) with the partial update patch of
 * clause 5.5.8. Since V1.6.1 the spec appends attributes and instances that do not exist yet; existing
 * instances are replaced whole (createdAt kept); an NGSI-LD Null deletes the instance it targets.
 * Types are added; scope is replaced only if the entity already has one (otherwise reported, clause 5.6.2.4).
 */
export function updateAttributes(
  e: Entity,
  attrs: Record<string, Attribute[]>,
  now: string,
  members: EntityMembers = {},
): { entity: Entity } & AttrOutcome {
  const d = draft(e);
  for (const [iri, instances] of Object.entries(attrs)) {
    for (const inst of instances) updateInstance(d, iri, inst, now);
  }
  addTypes(d, members.types);
  if (members.scope !== undefined) {
    if (d.scope === undefined) skip(d, SCOPE, 'Entity has no scope to update');
    else setScope(d, isNullScope(members.scope) ? undefined : members.scope);
  }
  return outcome(e, d, now);
}

function updateInstance(d: Draft, iri: string, inst: Attribute, now: string): void {
  const i = indexOf(d, iri, inst.datasetId);
  if (inst.datasetId === NGSI_LD_NULL) skip(d, iri, 'A datasetId cannot be deleted with NGSI-LD Null');
  else if (!isNullMarker(inst)) put(d, iri, i, i < 0 ? freshen(inst, now) : replaceInstance(d.attrs[iri][i], inst, now));
  else if (i < 0) skip(d, iri, `${instanceName(iri, inst.datasetId)} does not exist and cannot be deleted`);
  else remove(d, iri, (a) => a.datasetId === inst.datasetId);
}

/**
 * Implements 5.6.4 Partial Attribute Update (PATCH /entities/{id}/attrs/{attrId}): the members given
 * replace those of the instance selected by the fragment's datasetId (clause 5.5.8); NGSI-LD Null deletes
 * a sub-attribute or member but not the attribute itself; the attribute type cannot change.
 */
export function partialAttributeUpdate(e: Entity, iri: string, fragment: AttributeFragment, now: string): Result<Entity> {
  if (iri === SCOPE) return fail('BadRequestData', 'Scope cannot be the target of a partial attribute update');
  const d = draft(e);
  const i = indexOf(d, iri, fragment.datasetId);
  if (i < 0) return fail('ResourceNotFound', `${instanceName(iri, fragment.datasetId)} does not exist in entity ${e.id}`);
  const prev = d.attrs[iri][i];
  if (fragment.type !== undefined && fragment.type !== prev.type) {
    return fail('BadRequestData', `${instanceName(iri, fragment.datasetId)} is a ${prev.type} and cannot become a ${fragment.type}`);
  }
  if (isNullMarker(fragment)) {
    return fail('BadRequestData', `Partial attribute update cannot delete attribute ${iri}; use Delete Attribute`);
  }
  put(d, iri, i, patchInstance(prev, fragment, now));
  return ok(finish(e, d, now));
}

/**
 * Implements 5.6.19 Replace Attribute (PUT /entities/{id}/attrs/{attrId}): each instance given replaces
 * the existing instance with its datasetId, createdAt kept; any instance not found fails the whole operation.
 */
export function replaceAttribute(e: Entity, iri: string, instances: Attribute[], now: string): Result<Entity> {
  if (iri === SCOPE) return fail('BadRequestData', 'Scope cannot be the target of a replace attribute');
  if (instances.length === 0) return fail('BadRequestData', `No content is given to replace attribute ${iri}`);
  const d = draft(e);
  for (const inst of instances) {
    const i = indexOf(d, iri, inst.datasetId);
    if (i < 0) return fail('ResourceNotFound', `${instanceName(iri, inst.datasetId)} does not exist in entity ${e.id}`);
    put(d, iri, i, replaceInstance(d.attrs[iri][i], inst, now));
  }
  return ok(finish(e, d, now));
}

/**
 * Implements 5.6.5 Delete Attribute (DELETE /entities/{id}/attrs/{attrId}?datasetId=&deleteAll=):
 * deleteAll removes every instance (default included); otherwise only the instance with the given
 * datasetId, or the default instance when none is given. Targeting `scope` removes the entity's scope.
 */
export function deleteAttribute(
  e: Entity,
  iri: string,
  o: { datasetId?: string; deleteAll: boolean; now: string },
): Result<Entity> {
  const d = draft(e);
  if (iri === SCOPE) {
    if (d.scope === undefined) return fail('ResourceNotFound', `Entity ${e.id} has no scope`);
    setScope(d, undefined);
    return ok(finish(e, d, o.now));
  }
  if (d.attrs[iri] === undefined) return fail('ResourceNotFound', `Attribute ${iri} does not exist in entity ${e.id}`);
  if (o.deleteAll) {
    remove(d, iri, () => true);
  } else {
    if (indexOf(d, iri, o.datasetId) < 0) {
      return fail('ResourceNotFound', `${instanceName(iri, o.datasetId)} does not exist in entity ${e.id}`);
    }
    remove(d, iri, (a) => a.datasetId === o.datasetId);
  }
  return ok(finish(e, d, o.now));
}

/** Options of 5.6.17: common observedAt, simplified (keyValues) body and the common language tag. */
export interface MergeOptions {
  observedAt?: string;
  simplified?: boolean;
  lang?: string;
}

/**
 * Implements 5.6.17 Merge Entity (PATCH /entities/{id}) with the merge patch of clause 5.5.12: each
 * instance is merged into the one with the same datasetId (or appended), to any depth; NGSI-LD Null
 * deletes the instance, sub-attribute or member it targets (and is ignored where nothing exists).
 * Types are added, never removed; scope is replaced, or removed by NGSI-LD Null.
 */
export function mergeEntity(
  e: Entity,
  fragment: { types?: string[]; scope?: string[]; attrs: Record<string, Attribute[]> },
  now: string,
  o: MergeOptions = {},
): Entity {
  const d = draft(e);
  for (const [iri, instances] of Object.entries(fragment.attrs)) {
    for (const inst of instances) mergeOne(d, iri, inst, now, o);
  }
  addTypes(d, fragment.types);
  if (fragment.scope !== undefined) setScope(d, isNullScope(fragment.scope) ? undefined : fragment.scope);
  return finish(e, d, now);
}

function mergeOne(d: Draft, iri: string, given: Attribute, now: string, o: MergeOptions): void {
  if (given.datasetId === NGSI_LD_NULL) return; // a datasetId cannot be deleted (clause 5.5.12)
  const i = indexOf(d, iri, given.datasetId);
  const prev = i < 0 ? undefined : d.attrs[iri][i];
  const inst = prev && o.simplified ? retarget(given, prev.type, o.lang) : given;
  if (isNullMarker(inst)) {
    if (prev) remove(d, iri, (a) => a.datasetId === inst.datasetId);
  } else {
    put(d, iri, i, prev ? mergeInstance(prev, inst, now, o.observedAt) : mergeNew(inst, now));
  }
}

/**
 * Implements 5.6.18 Replace Entity (PUT /entities/{id}): the new content replaces everything (types,
 * scope, attributes, which are all new: createdAt = now); only the entity's id and createdAt remain.
 */
export function replaceEntity(e: Entity, replacement: Entity, now: string): Entity {
  const attrs: Record<string, Attribute[]> = {};
  for (const [iri, instances] of Object.entries(replacement.attrs)) {
    const kept = instances.filter((a) => !isNullMarker(a)).map((a) => freshen(a, now));
    if (kept.length > 0) attrs[iri] = kept;
  }
  const out: Entity = { id: e.id, types: [...new Set(replacement.types)], createdAt: e.createdAt, modifiedAt: now, attrs };
  if (replacement.scope !== undefined && replacement.scope.length > 0) out.scope = [...new Set(replacement.scope)];
  return out;
}

/**
 * Batch upsert (5.6.8) with options=update on an existing entity: the spec runs Update Attributes (5.6.2),
 * i.e. types added, attributes replaced (createdAt kept) or appended, scope replaced if present.
 * With options=replace (the default) the API calls replaceEntity instead.
 */
export function upsertUpdate(e: Entity, incoming: Entity, now: string): Entity {
  return updateAttributes(e, incoming.attrs, now, { types: incoming.types, scope: incoming.scope }).entity;
}
