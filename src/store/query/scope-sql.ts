import type { ScopeExpr } from '../../core/query/scope-query.js';
import type { SqlParams } from '../sql-params.js';

type ScopeAtom = Extract<ScopeExpr, { kind: 'scope' }>;

/**
 * Scope query (clause 4.19) as a condition on the entity row `row`: an atom holds when any of the entity's
 * scopes matches it; `;` and `|` combine atoms.
 *
 * Every atom is first a test on the keys that mimosa_scope_keys (migration 002) derives from the scopes and
 * that a GIN index holds: each scope as `/a/b`, and each of its ancestors-or-self as `/a/#`, `/a/b/#`, plus
 * `/#`. An atom without `+` is then exactly one key, and an `or` (or `and`) of such atoms one array overlap
 * (containment). An atom with `+` is narrowed by the key of the levels before its first `+` and settled by a
 * regular expression on the scopes. The leading `/` of a stored scope is optional (clause 4.18), so both are
 * keyed and matched alike.
 */
export function scopeSql(e: ScopeExpr, p: SqlParams, row: string): string {
  const keys = `mimosa_scope_keys(${row}.scopes)`;
  if (e.kind === 'scope') return atomSql(e, p, row, keys);
  const exact: string[] = [];
  const conds: string[] = [];
  for (const i of e.items) {
    if (i.kind === 'scope' && !i.levels.includes('+')) exact.push(key(i));
    else conds.push(scopeSql(i, p, row));
  }
  if (exact.length) conds.unshift(`${keys} ${e.kind === 'or' ? '&&' : '@>'} ${p.add(exact)}::text[]`);
  return `(${conds.join(e.kind === 'or' ? ' OR ' : ' AND ')})`;
}

function atomSql(a: ScopeAtom, p: SqlParams, row: string, keys: string): string {
  const wild = a.levels.indexOf('+');
  if (wild < 0) return `${keys} @> ARRAY[${p.add(key(a))}]::text[]`;
  const narrow = `${keys} @> ARRAY[${p.add(key({ kind: 'scope', levels: a.levels.slice(0, wild), descendants: true }))}]::text[]`;
  return `(${narrow} AND EXISTS (SELECT 1 FROM unnest(${row}.scopes) AS s WHERE s ~ ${p.add(pattern(a))}))`;
}

/** The key an atom without `+` is, in the form mimosa_scope_keys gives: `/a/b`, or `/a/b/#` for descendants. */
function key(a: ScopeAtom): string {
  const path = a.levels.map((l) => `/${l}`).join('');
  return a.descendants ? `${path}/#` : path;
}

/**
 * A PostgreSQL regular expression (ARE) for an atom: `+` is one level; a level name is literal, every character
 * that is not a letter, digit or `_` escaped (a backslash before a non-alphanumeric character means the
 * character itself in an ARE), although the grammar lets none through today.
 */
function pattern(a: ScopeAtom): string {
  const levels = a.levels.map((l) => (l === '+' ? '[^/]+' : l.replace(/[^\p{L}\p{N}_]/gu, '\\$&')));
  return `^/?${levels.join('/')}${a.descendants ? '(/[^/]+)*' : ''}$`;
}
