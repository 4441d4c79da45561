/**
 * Whether an entity conforms to a model: its keyValues form against the model's JSON Schema (models/compiler.ts),
 * and its NGSI-LD structure against what the model's descriptions say of each attribute (models/describe.ts),
 * which the keyValues form cannot show: an attribute the model describes as a Relationship must be one (a
 * Relationship or ListRelationship), a GeoProperty a GeoProperty, a Property one of the property types.
 */
import type { TermMap } from '../core/context/termmap.js';
import type { Entity } from '../core/entity/model.js';
import type { Violation } from '../store/port.js';
import { MAX_VIOLATIONS, type Validate } from './compiler.js';
import type { ModelDescription, NgsiAttributeType } from './describe.js';
import { toKeyValues, variants } from './keyvalues.js';

/** A model ready to judge entities: compiled and described. */
export interface JudgingModel {
  readonly name: string;
  readonly validate: Validate;
  readonly description: ModelDescription;
}

const ACCEPTED: Record<'Property' | 'Relationship' | 'GeoProperty', ReadonlySet<string>> = {
  Property: new Set(['Property', 'LanguageProperty', 'VocabProperty', 'JsonProperty', 'ListProperty']),
  Relationship: new Set(['Relationship', 'ListRelationship']),
  GeoProperty: new Set(['GeoProperty']),
};

const token = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Expected attribute type by compacted name, for the attributes whose description names one. */
function expectedTypes(d: ModelDescription): Map<string, NgsiAttributeType> {
  const out = new Map<string, NgsiAttributeType>();
  for (const a of d.attributes) if (a.ngsiType !== undefined) out.set(a.name, a.ngsiType);
  return out;
}

const expectations = new WeakMap<ModelDescription, Map<string, NgsiAttributeType>>();

function structure(e: Entity, m: JudgingModel, tm: TermMap): Violation[] {
  let expected = expectations.get(m.description);
  if (expected === undefined) expectations.set(m.description, (expected = expectedTypes(m.description)));
  const out: Violation[] = [];
  for (const [iri, instances] of Object.entries(e.attrs)) {
    const name = tm.compact(iri);
    const want = expected.get(name);
    if (want === undefined) continue;
    const accepted = want in ACCEPTED ? ACCEPTED[want as keyof typeof ACCEPTED] : new Set([want]);
    for (const a of instances) {
      if (accepted.has(a.type)) continue;
      out.push({
        pointer: `/${token(name)}`,
        message: `is a ${a.type}, where the model describes a ${want}`,
        ...(a.datasetId !== undefined ? { datasetId: a.datasetId } : {}),
      });
    }
  }
  return out;
}

/** Every violation of `e` against `m`, names compacted with `tm` (the model's context, or the core one). */
export function judge(e: Entity, m: JudgingModel, tm: TermMap): Violation[] {
  const doc = toKeyValues(e, tm, m.name);
  const out = [...structure(e, m, tm), ...m.validate(doc)];
  // Other instances of multi-instance attributes are judged in the primary's place; only what they change counts.
  for (const v of variants(e, tm)) {
    const at = `/${token(v.name)}`;
    const found = m.validate({ ...doc, [v.name]: v.value });
    for (const f of found) {
      if (f.pointer !== at && !f.pointer.startsWith(`${at}/`)) continue;
      out.push(v.datasetId !== undefined ? { ...f, datasetId: v.datasetId } : f);
    }
  }
  return out.slice(0, MAX_VIOLATIONS);
}
