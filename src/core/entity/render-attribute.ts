/**
 * Renders the stored instances of one attribute in the normalized, concise or simplified representation
 * (ETSI GS CIM 009 V1.8.1 clause 4.5). Pure: names and vocabulary values are compacted with the caller's TermMap.
 */
import type { TermMap } from '../context/termmap.js';
import { type Attribute, attributeKeywords } from './model.js';
import { chooseLanguage, type LanguageChoice, type LanguageRange } from './render-lang.js';

export type Format = 'normalized' | 'concise' | 'keyValues';

/** What every attribute of one rendered entity shares. */
export interface AttributeRendering {
  readonly tm: TermMap;
  readonly format: Format;
  readonly sysAttrs: boolean;
  /** Parsed `lang` ranges (clause 4.15); undefined leaves LanguageProperties as they are. */
  readonly lang?: readonly LanguageRange[];
}

/**
 * The rendering of all selected instances of an attribute: one instance as an object (or a bare value), several as
 * an array (clause 4.5.5), or in the simplified form a `dataset` map keyed by datasetId / `@none` (clause 4.5.4).
 */
export function renderInstances(instances: readonly Attribute[], r: AttributeRendering): unknown {
  if (r.format === 'keyValues') {
    if (instances.length === 1) return simplified(instances[0], r);
    const dataset: Record<string, unknown> = {};
    for (const a of instances) dataset[a.datasetId ?? '@none'] = simplified(a, r);
    return { dataset };
  }
  if (instances.length === 1) return reified(instances[0], r, true);
  // Inside an array, instances stay objects: a bare value there would read as another instance.
  return instances.map((a) => reified(a, r, false));
}

const compactAll = (tm: TermMap, iris: string | string[]): string | string[] =>
  Array.isArray(iris) ? iris.map((i) => tm.compact(i)) : tm.compact(iris);

function languageChoice(a: Attribute, r: AttributeRendering): LanguageChoice | undefined {
  if (a.type !== 'LanguageProperty' || r.lang === undefined || a.languageMap === undefined) return undefined;
  return chooseLanguage(a.languageMap, r.lang);
}

const objectUris = (list: readonly unknown[]): unknown[] =>
  list.map((o) => (typeof o === 'object' && o !== null && 'object' in o ? (o as { object: unknown }).object : o));

/** Clause 4.5.4: the simplified value of one instance; sub-attributes and metadata (timestamps too) are dropped. */
function simplified(a: Attribute, r: AttributeRendering): unknown {
  switch (a.type) {
    case 'Relationship':
      return a.object;
    case 'LanguageProperty': {
      const choice = languageChoice(a, r);
      return choice ? choice.value : { languageMap: a.languageMap };
    }
    case 'VocabProperty':
      return { vocab: a.vocab === undefined ? a.vocab : compactAll(r.tm, a.vocab) };
    case 'JsonProperty':
      return { json: a.json };
    case 'ListProperty':
      return a.valueList;
    case 'ListRelationship':
      return a.objectList === undefined ? a.objectList : objectUris(a.objectList);
    default:
      // Property and GeoProperty (clause 4.5.4: the Property Value / the GeoJSON geometry).
      return a.value;
  }
}

/** Output-only members of showChanges notifications (clause 5.8.x); rendered as stored when present. */
const previousMembers = [
  'previousValue',
  'previousObject',
  'previousLanguageMap',
  'previousJson',
  'previousValueList',
  'previousObjectList',
] as const;

/** The member(s) carrying the value of an instance: `value`, `object`, `languageMap`… (clauses 4.5.2–4.5.24). */
function valueMembers(out: Record<string, unknown>, a: Attribute, r: AttributeRendering, choice?: LanguageChoice) {
  if (choice) {
    // Clause 4.15: the LanguageProperty is returned as a Property holding one language and a `lang` member.
    out.value = choice.value;
    out.lang = choice.tag;
    return;
  }
  if (a.value !== undefined) out.value = a.value;
  if (a.object !== undefined) out.object = a.object;
  if (a.languageMap !== undefined) out.languageMap = a.languageMap;
  if (a.vocab !== undefined) out.vocab = compactAll(r.tm, a.vocab);
  if (a.json !== undefined) out.json = a.json;
  if (a.valueList !== undefined) out.valueList = a.valueList;
  if (a.objectList !== undefined) {
    // Clause 4.5.22.3: the concise objectList may hold bare URIs; normalized keeps {"object": uri} items.
    out.objectList =
      r.format === 'concise' ? objectUris(a.objectList) : a.objectList.map((o) => ({ object: objectUris([o])[0] }));
  }
}

function metadataMembers(out: Record<string, unknown>, a: Attribute, r: AttributeRendering) {
  if (a.objectType !== undefined) out.objectType = compactAll(r.tm, a.objectType);
  if (a.datasetId !== undefined) out.datasetId = a.datasetId;
  if (a.observedAt !== undefined) out.observedAt = a.observedAt;
  if (a.unitCode !== undefined) out.unitCode = a.unitCode;
  for (const m of previousMembers) if (a[m] !== undefined) out[m] = a[m];
  if (a.previousVocab !== undefined) out.previousVocab = compactAll(r.tm, a.previousVocab as string | string[]);
  if (r.sysAttrs) {
    if (a.createdAt !== undefined) out.createdAt = a.createdAt;
    if (a.modifiedAt !== undefined) out.modifiedAt = a.modifiedAt;
  }
}

const isAttribute = (x: unknown): x is Attribute =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && typeof (x as { type?: unknown }).type === 'string';

function subAttributeMembers(out: Record<string, unknown>, a: Attribute, r: AttributeRendering) {
  for (const key of Object.keys(a)) {
    if (attributeKeywords.has(key)) continue;
    const sub = a[key];
    if (sub === undefined) continue;
    const name = r.tm.compact(key);
    // Non-reified sub-properties (e.g. entityIdSealed of ngsildproof, clause 4.5.2.2) are kept as stored.
    if (isAttribute(sub)) out[name] = reified(sub, r, true);
    else if (Array.isArray(sub) && sub.every(isAttribute)) out[name] = sub.map((s) => reified(s, r, false));
    else out[name] = sub;
  }
}

/** Normalized (clauses 4.5.x.2) or concise (clauses 4.5.x.3) rendering of one instance. */
function reified(a: Attribute, r: AttributeRendering, allowBare: boolean): unknown {
  const choice = languageChoice(a, r);
  const out: Record<string, unknown> = {};
  // Concise: every attribute type is inferred from its value member, so `type` is dropped.
  if (r.format === 'normalized') out.type = choice ? 'Property' : a.type;
  valueMembers(out, a, r, choice);
  metadataMembers(out, a, r);
  subAttributeMembers(out, a, r);
  if (r.format === 'concise' && allowBare && conciselyBare(a, out)) return out.value;
  return out;
}

const geometryTypes = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon']);

/** A GeoJSON geometry object (IETF RFC 7946 §3.1), checked for shape, not for coordinate validity. */
export function isGeometry(x: unknown): boolean {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const g = x as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  if (g.type === 'GeometryCollection') return Array.isArray(g.geometries) && g.geometries.every(isGeometry);
  return typeof g.type === 'string' && geometryTypes.has(g.type) && Array.isArray(g.coordinates);
}

/**
 * Clause 4.5.2.3: a Property without sub-attributes is rendered as its bare value, and a GeoProperty as its bare
 * geometry (its type is inferred back from the geometry). The representation must stay lossless, so a Property
 * whose value is a JSON object or array keeps the `{"value": …}` form: a bare object could be read back as another
 * attribute type (a geometry, a `value`/`object` member…) and a bare array as several instances.
 */
function conciselyBare(a: Attribute, out: Record<string, unknown>): boolean {
  const keys = Object.keys(out);
  if (keys.length !== 1 || keys[0] !== 'value') return false;
  if (a.type === 'GeoProperty') return isGeometry(out.value);
  if (a.type !== 'Property') return false;
  const t = typeof out.value;
  return t === 'string' || t === 'number' || t === 'boolean';
}
