/**
 * The keyValues form a Smart Data Models schema describes, from a stored entity (normalized, names expanded with
 * the request's @context when it was parsed): names compacted with the model's @context by its compiled TermMap
 * (never a JSON-LD processor per entity), each attribute as its bare value (clause 4.5.4).
 *
 * Where this departs from the simplified representation clients read, it is to judge the value the model
 * describes, not its NGSI-LD wrapping:
 * - `type` is the model's type name, even when the entity has other types too;
 * - a JSON-LD value object (`{"@type": "DateTime", "@value": "…"}`, as the Smart Data Models normalized examples
 *   write dates) is its `@value`;
 * - a VocabProperty is its vocab (compacted), a JsonProperty its json; a LanguageProperty stays
 *   `{"languageMap": …}`, which a model describing a string refuses, rightly;
 * - an attribute with several instances (datasetIds) shows one: the default instance, else the first; the others
 *   are judged one at a time in its place (see variants below);
 * - system attributes (createdAt, modifiedAt) and scope are left out: the models name their own (dateCreated…).
 */
import type { TermMap } from '../core/context/termmap.js';
import type { Attribute, Entity } from '../core/entity/model.js';

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Unwraps a JSON-LD value object (`@value`, optionally `@type` / `@language`). */
function plain(v: unknown): unknown {
  if (isObject(v) && '@value' in v && Object.keys(v).every((k) => k === '@value' || k === '@type' || k === '@language')) return v['@value'];
  return v;
}

const compactAll = (tm: TermMap, v: string | string[]): string | string[] => (Array.isArray(v) ? v.map((x) => tm.compact(x)) : tm.compact(v));

/** The bare value of one attribute instance. */
export function valueOf(a: Attribute, tm: TermMap): unknown {
  switch (a.type) {
    case 'Relationship':
      return a.object;
    case 'ListRelationship':
      return a.objectList?.map((o) => (isObject(o) ? o.object : o));
    case 'LanguageProperty':
      return { languageMap: a.languageMap };
    case 'VocabProperty':
      return a.vocab === undefined ? undefined : compactAll(tm, a.vocab);
    case 'JsonProperty':
      return a.json;
    case 'ListProperty':
      return a.valueList?.map(plain);
    default:
      return plain(a.value);
  }
}

/** The instance shown in the keyValues form: the default one (no datasetId), else the first. */
export function primaryInstance(instances: readonly Attribute[]): Attribute | undefined {
  return instances.find((a) => a.datasetId === undefined) ?? instances[0];
}

/** Converts an entity to the keyValues form of a model named `typeName`, compacting with `tm`. */
export function toKeyValues(e: Entity, tm: TermMap, typeName: string): Json {
  const out: Json = { id: e.id, type: typeName };
  for (const [iri, instances] of Object.entries(e.attrs)) {
    const a = primaryInstance(instances);
    if (a === undefined) continue;
    const name = tm.compact(iri);
    if (name === 'id' || name === 'type') continue;
    Object.defineProperty(out, name, { value: valueOf(a, tm), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** One non-primary instance of an attribute, to be judged in the primary's place. */
export interface Variant {
  name: string;
  datasetId: string | undefined;
  value: unknown;
}

/** The instances toKeyValues does not show, as values to put in their attribute's place. */
export function variants(e: Entity, tm: TermMap): Variant[] {
  const out: Variant[] = [];
  for (const [iri, instances] of Object.entries(e.attrs)) {
    if (instances.length < 2) continue;
    const primary = primaryInstance(instances);
    const name = tm.compact(iri);
    for (const a of instances) if (a !== primary) out.push({ name, datasetId: a.datasetId, value: valueOf(a, tm) });
  }
  return out;
}
