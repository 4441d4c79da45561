/**
 * The entity selection of a query (clause 5.7.2), from the parameters of GET /entities or from the Query data
 * type of POST /entityOperations/query (clause 5.2.23). Every grammar is parsed into its AST in core; a parse
 * failure is a 400 naming the parameter and the position.
 */
import type { TermMap } from '../core/context/termmap.js';
import { isUri, isValidAttributeName } from '../core/entity/parse.js';
import { raise, unwrap } from '../core/problem.js';
import { parseCsf } from '../core/query/csf.js';
import { parseGeoQuery, type GeoQueryInput } from '../core/query/geo.js';
import type { QExpr } from '../core/query/q-ast.js';
import { parseQ } from '../core/query/q.js';
import { parseScopeQuery } from '../core/query/scope-query.js';
import { parseTypeExpression } from '../core/query/type-expr.js';
import type { EntitySelection, EntitySelector } from '../store/port.js';
import { expandedNames, listParam } from './params.js';

/** The selection parameters of GET /entities (and of subscriptions, later). */
export const SELECTION_PARAMS = ['type', 'id', 'idPattern', 'attrs', 'q', 'georel', 'geometry', 'coordinates', 'geoproperty', 'scopeQ', 'csf', 'expandValues'];

function idList(raw: string): string[] {
  const ids = listParam('id', raw)!;
  for (const id of ids) if (!isUri(id)) raise('BadRequestData', `Entity id ${JSON.stringify(id.slice(0, 200))} is not a URI`);
  return ids;
}

/**
 * `csf` selects the Context Sources a distributed query is forwarded to (clause 4.9, 5.7.2), by the members and
 * Properties of their registrations; the local entities are not filtered by it.
 */
export function csfOf(raw: unknown, tm: TermMap): QExpr | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') raise('BadRequestData', 'csf must be a string');
  return unwrap(parseCsf(raw, tm));
}

function validateCsf(raw: unknown, tm: TermMap): void {
  csfOf(raw, tm);
}

/** Members shared by the URL and the body form: q, scopeQ, geo-query, attrs, expandValues. */
function common(
  tm: TermMap,
  o: { q?: unknown; scopeQ?: unknown; geo: GeoQueryInput; attrs?: string[]; expandValues?: string[] },
): EntitySelection {
  const sel: EntitySelection = {};
  if (o.q !== undefined) {
    if (typeof o.q !== 'string') raise('BadRequestData', 'q must be a string');
    sel.q = unwrap(parseQ(o.q, tm));
  }
  if (o.scopeQ !== undefined) {
    if (typeof o.scopeQ !== 'string') raise('BadRequestData', 'scopeQ must be a string');
    sel.scopeQ = unwrap(parseScopeQuery(o.scopeQ));
  }
  const geo = unwrap(parseGeoQuery(o.geo, tm));
  if (geo) sel.geo = geo;
  if (o.attrs) sel.attrs = o.attrs;
  if (o.expandValues) sel.expandValues = o.expandValues;
  return sel;
}

/** Whether anything narrows the selection (clause 5.7.2: a query without any filter is too broad). */
export function isNarrowed(sel: EntitySelection): boolean {
  return Boolean(sel.entities || sel.type || sel.ids || sel.idPattern !== undefined || sel.attrs || sel.q || sel.geo || sel.scopeQ);
}

/** GET /ngsi-ld/v1/entities parameters → selection. */
export function selectionOfParams(q: Record<string, string | undefined>, tm: TermMap): EntitySelection {
  validateCsf(q.csf, tm);
  const sel = common(tm, {
    q: q.q,
    scopeQ: q.scopeQ,
    geo: { georel: q.georel, geometry: q.geometry, coordinates: q.coordinates, geoproperty: q.geoproperty },
    attrs: expandedNames('attrs', q.attrs, tm),
    expandValues: expandedNames('expandValues', q.expandValues, tm),
  });
  if (q.type !== undefined) sel.type = unwrap(parseTypeExpression(q.type, tm));
  if (q.id !== undefined) sel.ids = idList(q.id);
  if (q.idPattern !== undefined) sel.idPattern = q.idPattern;
  return sel;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The Query data type (clause 5.2.23) → selection. */
export function selectionOfQuery(b: Record<string, unknown>, tm: TermMap): EntitySelection {
  if (b.temporalQ !== undefined) raise('BadRequestData', 'temporalQ applies to temporal queries (/temporal/entityOperations/query), not to this one');
  validateCsf(b.csf, tm);
  if (b.geoQ !== undefined && !isObject(b.geoQ)) raise('BadRequestData', 'geoQ must be a GeoQuery object');
  const g = (b.geoQ ?? {}) as Record<string, unknown>;
  const sel = common(tm, {
    q: b.q,
    scopeQ: b.scopeQ,
    geo: { georel: g.georel, geometry: g.geometry, coordinates: g.coordinates, geoproperty: g.geoproperty },
    attrs: nameArray('attrs', b.attrs, tm),
    expandValues: nameArray('expandValues', b.expandValues, tm),
  });
  if (b.geoQ !== undefined && !sel.geo) raise('BadRequestData', 'geoQ needs georel, geometry and coordinates');
  if (b.entities !== undefined) sel.entities = selectors(b.entities, tm);
  return sel;
}

function nameArray(member: string, x: unknown, tm: TermMap): string[] | undefined {
  if (x === undefined) return undefined;
  if (!Array.isArray(x) || x.some((a) => typeof a !== 'string' || !isValidAttributeName(a))) raise('BadRequestData', `Query ${member} must be an array of attribute names`);
  return (x as string[]).map((a) => tm.expand(a));
}

function selectors(x: unknown, tm: TermMap): EntitySelector[] {
  if (!Array.isArray(x) || x.length === 0) raise('BadRequestData', 'Query entities must be a non-empty array of EntitySelector');
  return x.map((s, i) => {
    if (!isObject(s)) raise('BadRequestData', `EntitySelector ${i} must be an object`);
    // Clause 5.2.33: type is mandatory in an EntitySelector.
    if (typeof s.type !== 'string' || s.type === '') raise('BadRequestData', `EntitySelector ${i} needs a type (a non-empty string)`);
    const out: EntitySelector = { type: unwrap(parseTypeExpression(s.type, tm)) };
    if (s.id !== undefined) {
      if (typeof s.id !== 'string' || !isUri(s.id)) raise('BadRequestData', `EntitySelector ${i}: id must be a URI`);
      out.id = s.id;
    }
    if (s.idPattern !== undefined) {
      if (typeof s.idPattern !== 'string') raise('BadRequestData', `EntitySelector ${i}: idPattern must be a string`);
      out.idPattern = s.idPattern;
    }
    return out;
  });
}
