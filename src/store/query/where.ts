/**
 * The WHERE clause of an entity selection (clause 5.7.2): every member of the selection becomes one SQL
 * condition over the entity row `row` (columns tenant, id, types, scopes, attr_names, location, doc), with
 * every value passed as a parameter.
 */
import type { EntitySelection, EntitySelector } from '../port.js';
import type { SqlParams } from '../sql-params.js';
import { geoSql } from './geo-sql.js';
import { qSql } from './q-sql.js';
import { scopeSql } from './scope-sql.js';
import { typeSql } from './type-sql.js';

export function selectionSql(tenant: string, sel: EntitySelection, p: SqlParams, row = 'e'): string {
  const conds = [`${row}.tenant = ${p.add(tenant)}`];
  if (sel.entities) conds.push(`(${sel.entities.map((s) => selectorSql(s, p, row)).join(' OR ')})`);
  if (sel.type) conds.push(typeSql(sel.type, p, row));
  if (sel.ids) conds.push(`${row}.id = ANY(${p.add(sel.ids)}::text[])`);
  if (sel.idPattern !== undefined) conds.push(`${row}.id ~ ${p.add(sel.idPattern)}`);
  if (sel.attrs) conds.push(`${row}.attr_names && ${p.add(sel.attrs)}::text[]`);
  if (sel.q) conds.push(qSql(sel.q, p, row, { expandValues: sel.expandValues ?? [] }));
  if (sel.geo) conds.push(geoSql(sel.geo, p, row));
  if (sel.scopeQ) conds.push(scopeSql(sel.scopeQ, p, row));
  return conds.join(' AND ');
}

/** One EntitySelector (clause 5.2.33): type, id and idPattern, those given, all hold. */
function selectorSql(s: EntitySelector, p: SqlParams, row: string): string {
  const conds: string[] = [];
  if (s.type) conds.push(typeSql(s.type, p, row));
  if (s.id !== undefined) conds.push(`${row}.id = ${p.add(s.id)}`);
  if (s.idPattern !== undefined) conds.push(`${row}.id ~ ${p.add(s.idPattern)}`);
  return conds.length ? `(${conds.join(' AND ')})` : 'TRUE';
}
