/**
 * Pure operations on one attribute instance (and its sub-attributes), the building blocks of the entity
 * mutation operations in ops.ts. Nothing here mutates its arguments; results may share untouched
 * sub-structures (values, sub-attributes) with their inputs.
 */
import { NGSI_LD_NULL, attributeKeywords, type Attribute, type AttributeType } from './model.js';

/** An attribute as given in a partial update or merge body: every member optional, `type` included. */
export type AttributeFragment = Partial<Attribute>;

/** Members that carry an attribute's value, one family per attribute type (clause 4.5). */
const valueMembers = ['value', 'object', 'objectType', 'languageMap', 'vocab', 'json', 'valueList', 'objectList'];
/** Members a merge-patch goes into when both sides are JSON objects (clause 5.5.12, example 2). */
const deepMerged = new Set(['value', 'languageMap', 'json']);
/** Members a fragment never sets directly: identity and system timestamps. */
const notPatched = new Set(['type', 'datasetId', 'createdAt', 'modifiedAt']);

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const isAttr = (x: unknown): x is Attribute => isPlainObject(x);

function isNullValue(v: unknown): boolean {
  return v === NGSI_LD_NULL || (Array.isArray(v) && v.length === 1 && v[0] === NGSI_LD_NULL);
}

/**
 * True when the fragment is an NGSI-LD Null, i.e. asks to delete what it targets (clause 4.5, 5.5.12):
 * `value`/`object`/`vocab`/`json` set to "urn:ngsi-ld:null", a one-element list of it, or the
 * LanguageProperty form `languageMap: {"@none": "urn:ngsi-ld:null"}`.
 */
export function isNullMarker(a: AttributeFragment): boolean {
  if (a.value === NGSI_LD_NULL || a.json === NGSI_LD_NULL) return true;
  if (isNullValue(a.object) || isNullValue(a.vocab) || isNullValue(a.valueList)) return true;
  if (a.objectList?.length === 1 && a.objectList[0]?.object === NGSI_LD_NULL) return true;
  const lm = a.languageMap;
  return lm !== undefined && Object.keys(lm).length === 1 && lm['@none'] === NGSI_LD_NULL;
}

/** Sub-attribute entries (members that are not keywords and hold an object). */
function subEntries(a: AttributeFragment): Array<[string, Attribute]> {
  const out: Array<[string, Attribute]> = [];
  for (const [k, v] of Object.entries(a)) if (!attributeKeywords.has(k) && isAttr(v)) out.push([k, v]);
  return out;
}

/**
 * A new instance as it will be stored: createdAt = modifiedAt = now on it and on every sub-attribute.
 * NGSI-LD Null members are dropped: adding "nothing" to a target that lacks the member is a no-op.
 */
export function freshen(a: AttributeFragment, now: string): Attribute {
  const out = { ...a, createdAt: now, modifiedAt: now } as Attribute;
  for (const [k, v] of Object.entries(a)) {
    if (attributeKeywords.has(k)) {
      if (v === NGSI_LD_NULL && !valueMembers.includes(k)) delete out[k];
    } else if (isAttr(v)) {
      if (isNullMarker(v)) delete out[k];
      else out[k] = freshen(v, now);
    }
  }
  return out;
}

/** Keeps the createdAt of what already existed: the instance and, by name, its sub-attributes (clause 4.8). */
function carryCreatedAt(next: Attribute, prev: Attribute): Attribute {
  const out: Attribute = prev.createdAt === undefined ? { ...next } : { ...next, createdAt: prev.createdAt };
  for (const [k, sub] of subEntries(next)) {
    const before = prev[k];
    if (isAttr(before)) out[k] = carryCreatedAt(sub, before);
  }
  return out;
}

/** Replaces an instance wholesale (clauses 5.6.2, 5.6.3, 5.6.19): new content, createdAt unchanged. */
export function replaceInstance(prev: Attribute, next: AttributeFragment, now: string): Attribute {
  return carryCreatedAt(freshen(next, now), prev);
}

/**
 * Partial update patch of one instance (clause 5.5.8): each member given replaces the member of the
 * same name at the first level (a sub-attribute is replaced whole); NGSI-LD Null removes it.
 */
export function patchInstance(prev: Attribute, frag: AttributeFragment, now: string): Attribute {
  const out: Attribute = { ...prev, modifiedAt: now };
  for (const [k, v] of Object.entries(frag)) {
    if (notPatched.has(k) || v === undefined) continue;
    if (attributeKeywords.has(k)) {
      if (v === NGSI_LD_NULL) delete out[k];
      else out[k] = v;
    } else if (isAttr(v)) {
      const before = prev[k];
      if (isNullMarker(v)) delete out[k];
      else out[k] = isAttr(before) ? replaceInstance(before, v, now) : freshen(v, now);
    }
  }
  return out;
}

/** RFC 7396 JSON Merge Patch where both JSON null and NGSI-LD Null remove a member (clause 5.5.12). */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === NGSI_LD_NULL) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

/**
 * Merge patch of one instance (clause 5.5.12): members given are merged to any depth (sub-attributes
 * recursively, JSON object values per RFC 7396), NGSI-LD Null removes, the rest is kept.
 * A type change drops the old type's value members, which would otherwise linger beside the new ones.
 * `observedAt` is the common timestamp of clause 5.6.17.3: it refreshes an existing observedAt that the
 * fragment does not set itself.
 */
export function mergeInstance(prev: Attribute, frag: AttributeFragment, now: string, observedAt?: string): Attribute {
  const out: Attribute = { ...prev, modifiedAt: now };
  if (frag.type !== undefined && frag.type !== prev.type) {
    for (const m of valueMembers) delete out[m];
    out.type = frag.type;
  }
  for (const [k, v] of Object.entries(frag)) {
    if (notPatched.has(k) || v === undefined) continue;
    if (attributeKeywords.has(k)) {
      if (v === NGSI_LD_NULL) delete out[k];
      else out[k] = deepMerged.has(k) && out.type !== 'GeoProperty' ? jsonMergePatch(out[k], v) : v;
    } else if (isAttr(v)) {
      const before = prev[k];
      if (isNullMarker(v)) delete out[k];
      else out[k] = isAttr(before) ? mergeInstance(before, v, now) : mergeNew(v, now);
    }
  }
  if (observedAt !== undefined && prev.observedAt !== undefined && frag.observedAt === undefined) {
    out.observedAt = observedAt;
  }
  return out;
}

/**
 * A new instance added by a merge patch: merged into nothing, so that NGSI-LD Null members inside it
 * (JSON object values included) vanish as RFC 7396 prescribes, then stamped createdAt = modifiedAt = now.
 */
export function mergeNew(frag: AttributeFragment, now: string): Attribute {
  const base: Attribute = { type: frag.type ?? 'Property' };
  if (frag.datasetId !== undefined) base.datasetId = frag.datasetId;
  return { ...mergeInstance(base, frag, now), createdAt: now };
}

/**
 * Re-expresses a simplified (keyValues) fragment, parsed as a Property, in the type of the attribute it
 * merges into (clause 5.6.17.4: "the type of any pre-existing Attribute shall be preserved"). A bare
 * string for a LanguageProperty goes under the common language tag `lang` (or "@none").
 */
export function retarget(frag: AttributeFragment, type: AttributeType, lang?: string): AttributeFragment {
  if (isNullMarker(frag)) return frag;
  const v = frag.value;
  const base: AttributeFragment = { type };
  if (frag.datasetId !== undefined) base.datasetId = frag.datasetId;
  switch (type) {
    case 'Relationship':
      return { ...base, object: v as string | string[] };
    case 'ListRelationship':
      return { ...base, objectList: (Array.isArray(v) ? v : [v]).map((o) => (isPlainObject(o) ? o : { object: o })) as Array<{ object: string }> };
    case 'VocabProperty':
      return { ...base, vocab: v as string | string[] };
    case 'JsonProperty':
      return { ...base, json: v };
    case 'ListProperty':
      return { ...base, valueList: Array.isArray(v) ? v : [v] };
    case 'LanguageProperty':
      return { ...base, languageMap: isPlainObject(v) ? (v as Record<string, string>) : { [lang ?? '@none']: v as string } };
    default:
      return { ...base, value: v };
  }
}
