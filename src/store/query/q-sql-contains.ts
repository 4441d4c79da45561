/**
 * Equality terms (`==`, value lists) written as JSON containment, `doc @> pattern`, wherever the matches of the
 * term are exactly a handful of document shapes. Containment is evaluated without expanding any array in SQL
 * and a GIN index on `doc` (jsonb_path_ops) answers it; the general form (q-sql.ts) would read every instance.
 *
 * Exactness is what allows it: the shapes below are all the ways in which q-sql-target.ts and q-sql-values.ts
 * find a value equal to `x` on normalized data, and nothing else. That holds for
 * - numbers and booleans: only `value`, `json` and `valueList` hold them (objects, vocab and languageMap
 *   hold strings); jsonb compares numbers numerically, as `valueMatch` does;
 * - strings (and dates, equal as text) below a compound-value path: `value[k]`, `json[k]`, and for a single key
 *   the language `k` of a languageMap; without keys a string may be any language of a LanguageProperty,
 *   which no pattern expresses, so those terms take the general form;
 * - unitCode and datasetId, plain strings.
 * Date-times and times are equal as instants, not as text, and take the general form.
 */
import type { QPath, QValue } from '../../core/query/q-ast.js';
import type { SqlParams } from '../sql-params.js';
import { storable } from './q-sql-values.js';

type Json = unknown;

/** A value as a target may hold it: itself, in an array, or as the `@value` of a JSON-LD value object. */
const held = (x: Json): Json[] => [x, [x], { '@value': x }, [{ '@value': x }]];

function nest(keys: readonly string[], inner: Json): Json {
  return keys.reduceRight<Json>((acc, k) => ({ [k]: acc }), inner);
}

/** The JSON a value of the term stands for, or undefined when the term is not exact as containment. */
function literal(v: QValue, path: QPath, expandValues: ReadonlySet<string>): Json | undefined {
  const textual = path.keys.length > 0 || path.member !== undefined;
  switch (v.kind) {
    case 'number':
    case 'boolean':
      return path.member === undefined ? v.value : undefined;
    case 'string':
    case 'uri':
    case 'date':
      return textual ? v.value : undefined;
    case 'term': {
      if (!textual) return undefined;
      const target = path.sub.length ? path.sub[path.sub.length - 1] : path.attr;
      return path.member === undefined && expandValues.has(target) ? v.iri : v.value;
    }
    default:
      return undefined;
  }
}

/** Instance shapes (below the sub-attribute path) in which `x` is a target value of `path`. */
function shapes(x: Json, path: QPath): Json[] {
  if (typeof x === 'string' && !storable(x)) return [];
  if (path.member !== undefined) return [{ [path.member]: x }];
  const keys = path.keys;
  const out: Json[] = held(x).flatMap((h) => [{ value: nest(keys, h) }, { json: nest(keys, h) }]);
  if (keys.length === 0) out.push({ valueList: [x] }, { valueList: [{ '@value': x }] });
  if (keys.length === 1 && typeof x === 'string') out.push(...held(x).map((h) => ({ languageMap: { [keys[0]]: h } })));
  return out;
}

/**
 * `(row.doc @> $1 OR row.doc @> $2 …)` matching exactly the entities in which some instance of the attribute
 * holds one of `values` at `path`, or undefined when the term has no exact containment form.
 */
export function containsSql(row: string, path: QPath, values: readonly QValue[], p: SqlParams, expandValues: ReadonlySet<string>): string | undefined {
  if (path.via.length > 0 || (path.keys.length === 1 && path.keys[0] === '*')) return undefined;
  if (path.member !== undefined && path.member !== 'unitCode' && path.member !== 'datasetId') return undefined;
  const xs = values.map((v) => literal(v, path, expandValues));
  if (xs.some((x) => x === undefined)) return undefined;
  const patterns = xs.flatMap((x) => shapes(x, path)).map((s) => ({ attrs: { [path.attr]: [nest(path.sub, s)] } }));
  if (patterns.length === 0) return 'FALSE';
  return `(${patterns.map((pt) => `${row}.doc @> ${p.add(JSON.stringify(pt))}::jsonb`).join(' OR ')})`;
}
