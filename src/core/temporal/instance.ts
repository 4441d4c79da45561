/**
 * Attribute instances as the temporal evolution keeps them (clauses 4.5.7, 4.5.8): what a write adds to the
 * history, the deletion instance of clause 4.5.7 ("value set to urn:ngsi-ld:null and deletedAt set"), and the
 * facts aggregation needs from each value (clause 4.5.19.1 tables 4.5.19.1-1 to -3), derived once when the instance
 * is recorded so that aggregation reads no JSON.
 */
import { attributeTypes, contentMember, NGSI_LD_NULL, type Attribute, type AttributeType, type Entity } from '../entity/model.js';
import { isDateTime } from '../entity/uri.js';

/** Value kinds (one bit each) of clause 4.5.19.1; a kind mask tells which aggregation methods apply. */
export const Kind = {
  /** JSON number, or boolean (true is 1, false is 0). */
  number: 1,
  /** JSON array (aggregated by its size). */
  array: 2,
  /** DateTime string (or {"@type": "DateTime", "@value": …}). */
  dateTime: 4,
  /** Any other string, Date and Time included (their lexicographic order is their time order). */
  string: 8,
  /** JSON object, null, or a value of a type without aggregation semantics (GeoProperty, LanguageProperty…). */
  other: 16,
  /** Relationship or ListRelationship targets. */
  relationship: 32,
  /** A deletion instance (clause 4.5.7). */
  deleted: 64,
} as const;

/** All value-kind bits; the bits above carry the attribute type, one bit per type (attributeTypes order). */
export const VALUE_KINDS = 127;
const TYPE_SHIFT = 7;

export const typeBit = (t: AttributeType): number => 1 << (TYPE_SHIFT + attributeTypes.indexOf(t));

/** The attribute types whose bits are set in a mask, in attributeTypes order. */
export function typesOf(mask: number): AttributeType[] {
  return attributeTypes.filter((t) => (mask & typeBit(t)) !== 0);
}

/** What aggregation reads of one instance: kind and attribute-type bits, a number, a string. */
export interface AggregationFacts {
  kind: number;
  /** Number, boolean as 0/1, array size, or DateTime as milliseconds since the epoch. */
  num?: number;
  /** String (DateTime, Date and Time included) for min/max in lexicographic order. */
  txt?: string;
}

function valueFacts(v: unknown): Omit<AggregationFacts, 'kind'> & { bit: number } {
  if (typeof v === 'number') return { bit: Kind.number, num: v };
  if (typeof v === 'boolean') return { bit: Kind.number, num: v ? 1 : 0 };
  if (Array.isArray(v)) return { bit: Kind.array, num: v.length };
  const s = typeof v === 'object' && v !== null && (v as Record<string, unknown>)['@type'] === 'DateTime' ? (v as Record<string, unknown>)['@value'] : v;
  if (typeof s === 'string') return isDateTime(s) ? { bit: Kind.dateTime, num: Date.parse(s), txt: s } : { bit: Kind.string, txt: s };
  return { bit: Kind.other };
}

/** The aggregation facts of an instance (deletion instances are of kind deleted and aggregate nothing). */
export function aggregationFacts(a: Attribute, deleted: boolean): AggregationFacts {
  const type = typeBit(a.type);
  if (deleted) return { kind: Kind.deleted | type };
  if (a.type === 'Relationship' || a.type === 'ListRelationship') return { kind: Kind.relationship | type };
  if (a.type !== 'Property' && a.type !== 'ListProperty') return { kind: Kind.other | type };
  const { bit, ...facts } = valueFacts(a.type === 'ListProperty' ? a.valueList : a.value);
  return { kind: bit | type, ...facts };
}

/** The NGSI-LD Null in the content member of an attribute type (clause 5.2.1 and the "deleted" forms of 4.5.x). */
function nullContent(t: AttributeType): unknown {
  switch (t) {
    case 'LanguageProperty':
      return { '@none': NGSI_LD_NULL };
    case 'ListProperty':
      return [NGSI_LD_NULL];
    case 'ListRelationship':
      return [{ object: NGSI_LD_NULL }];
    default:
      return NGSI_LD_NULL;
  }
}

/** Clause 4.5.7 / 4.5.8: the instance recording that `a` was deleted at `at`. */
export function deletionInstance(a: Attribute, at: string): Attribute {
  const out: Attribute = { type: a.type, [contentMember[a.type]]: nullContent(a.type), modifiedAt: at, deletedAt: at };
  if (a.datasetId !== undefined) out.datasetId = a.datasetId;
  if (a.createdAt !== undefined) out.createdAt = a.createdAt;
  return out;
}

/** One instance to add to the temporal evolution of an entity. */
export interface RecordedInstance {
  entityId: string;
  attr: string;
  instance: Attribute;
}

/**
 * Whether `next` differs from `prev`. The entity operations (core/entity/ops.ts) keep the very object of an
 * instance they did not touch, and stamp modifiedAt on one they wrote, so identity and modifiedAt settle almost
 * every case; the JSON comparison is for two writes within the same millisecond.
 */
function changed(prev: Attribute | undefined, next: Attribute): boolean {
  if (prev === undefined) return true;
  if (prev === next) return false;
  if (prev.modifiedAt !== next.modifiedAt) return true;
  return JSON.stringify(prev) !== JSON.stringify(next);
}

/**
 * The instances one entity write adds to its temporal evolution: every instance created or changed, and a
 * deletion instance for every instance removed (at the write's modifiedAt). A deleted entity (no `after`) gives
 * a deletion instance for each of its instances, at `deletedAt`.
 */
export function recordedInstances(before: Entity | undefined, after: Entity | undefined, deletedAt: string): RecordedInstance[] {
  const out: RecordedInstance[] = [];
  const id = (after ?? before)?.id;
  if (id === undefined) return out;
  const at = after?.modifiedAt ?? deletedAt;
  for (const [attr, instances] of Object.entries(after?.attrs ?? {})) {
    const prevs = before?.attrs[attr];
    for (const inst of instances) {
      if (changed(prevs?.find((p) => p.datasetId === inst.datasetId), inst)) out.push({ entityId: id, attr, instance: inst });
    }
  }
  for (const [attr, prevs] of Object.entries(before?.attrs ?? {})) {
    const now = after?.attrs[attr];
    for (const p of prevs) {
      if (!now?.some((n) => n.datasetId === p.datasetId)) out.push({ entityId: id, attr, instance: deletionInstance(p, at) });
    }
  }
  return out;
}
