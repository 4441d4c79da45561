/**
 * The Target Element of a Query Term (clause 4.9): where, in one stored attribute instance, the value a term
 * compares lives. Entities are stored as the normalized `Entity` document (core/entity/model.ts): `doc.attrs`
 * maps each attribute IRI to the array of its instances (one per datasetId), and each instance holds its
 * content under the member its type names (value, object, languageMap, vocab, json, valueList, objectList),
 * its meta members and its sub-attributes (IRI → instance object).
 *
 * Every expression here yields NULL rather than failing on a document of unexpected shape: `->` answers NULL
 * on a scalar or a missing member, and arrays are only expanded after `jsonb_typeof` says they are arrays.
 */
import type { QPath } from '../../core/query/q-ast.js';
import type { SqlParams } from '../sql-params.js';

/** The instances of attribute `attr` (a placeholder) of the entity row `row`: a JSON array, when well formed. */
export const attributeOf = (row: string, attr: string) => `${row}.doc->'attrs'->${attr}::text`;

/** The target entities of a Relationship or ListRelationship instance, as a JSON array (clause 4.5.3, 4.5.20). */
export function objectsOf(inst: string): string {
  const obj = `${inst}->'object'`;
  return `(CASE WHEN ${inst}->>'type' = 'ListRelationship' THEN jsonb_path_query_array(${inst}->'objectList', 'lax $[*].object')
    WHEN jsonb_typeof(${obj}) = 'array' THEN ${obj} WHEN jsonb_typeof(${obj}) = 'string' THEN jsonb_build_array(${obj}) END)`;
}

/** `a->$1->$2…` for member-name placeholders; `->` with a text key never indexes into an array. */
function members(base: string, placeholders: readonly string[]): string {
  return placeholders.reduce((acc, k) => `${acc}->${k}::text`, base);
}

/** The (sub-)attribute instance a path reaches from a top-level instance `inst` (clause 4.9 example 8). */
export function subInstance(inst: string, path: QPath, p: SqlParams): string {
  return members(inst, path.sub.map((s) => p.add(s)));
}

/** What a LanguageProperty offers: one language (`name[en]`), or every language (`name`, `name[*]`). */
function languageTarget(s: string, keys: readonly string[], ks: readonly string[]): string {
  const map = `${s}->'languageMap'`;
  if (keys.length === 0) return `jsonb_path_query_array(${map}, 'lax $.*[*]')`;
  // with [*] some language must be present for the target to exist
  if (keys.length === 1 && keys[0] === '*') return `NULLIF(jsonb_path_query_array(${map}, 'lax $.*[*]'), '[]'::jsonb)`;
  if (keys.length === 1) return `${map}->${ks[0]}::text`;
  return 'NULL::jsonb';
}

/**
 * The target of `path` in the instance `s` (jsonb, SQL NULL when there is none): a meta member (`.observedAt`…)
 * or the content the instance type defines, followed into a compound value by `keys` (clause 4.9 examples 9
 * and 10). The caller compares each element of a JSON array target ("any element", clause 4.9).
 */
export function targetOf(s: string, path: QPath, p: SqlParams): string {
  if (path.member !== undefined) return `${s}->${p.add(path.member)}::text`;
  const keys = path.keys;
  const ks = keys.map((k) => p.add(k));
  const none = keys.length > 0 ? 'NULL::jsonb' : undefined;
  return `(CASE ${s}->>'type'
    WHEN 'Relationship' THEN ${none ?? `${s}->'object'`}
    WHEN 'ListRelationship' THEN ${none ?? `jsonb_path_query_array(${s}->'objectList', 'lax $[*].object')`}
    WHEN 'VocabProperty' THEN ${none ?? `${s}->'vocab'`}
    WHEN 'LanguageProperty' THEN ${languageTarget(s, keys, ks)}
    WHEN 'JsonProperty' THEN ${members(`${s}->'json'`, ks)}
    WHEN 'ListProperty' THEN ${members(`${s}->'valueList'`, ks)}
    ELSE ${members(`${s}->'value'`, ks)} END)`;
}

/** A JSON-LD value object (`{"@type": "DateTime", "@value": "…"}`) stands for its `@value`. */
export const unwrapped = (v: string) => `COALESCE(${v}->'@value', ${v})`;
