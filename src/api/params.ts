import type { FastifyRequest } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import { isUri, isValidAttributeName } from '../core/entity/parse.js';
import type { Format } from '../core/entity/render.js';
import { raise } from '../core/problem.js';

export type Query = Record<string, string | string[] | undefined>;

/** The query string of a request; a parameter given twice is a 400 (each NGSI-LD parameter is single-valued). */
export function queryOf(req: FastifyRequest, allowed: readonly string[], unsupported: readonly string[] = []): Record<string, string | undefined> {
  const q = req.query as Query;
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(q)) {
    if (unsupported.includes(k)) raise('OperationNotSupported', `Parameter ${k} is not supported by this operation yet`);
    if (!allowed.includes(k)) raise('BadRequestData', `Parameter ${JSON.stringify(k.slice(0, 100))} is not known for this operation; known: ${allowed.join(', ')}`);
    if (Array.isArray(v)) raise('BadRequestData', `Parameter ${k} is given more than once`);
    out[k] = v;
  }
  return out;
}

/** Comma-separated list parameter; empty items are a 400. */
export function listParam(name: string, raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) raise('BadRequestData', `Parameter ${name} has an empty item`);
  return items;
}

export function intParam(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) raise('BadRequestData', `Parameter ${name} must be a whole number, got ${JSON.stringify(raw.slice(0, 50))}`);
  const n = Number(raw);
  if (n < min) raise('BadRequestData', `Parameter ${name} must be at least ${min}`);
  // Clause 5.5.9: only a limit beyond what the broker serves is TooManyResults (403); any other bound is bad data.
  if (n > max) raise(name === 'limit' ? 'TooManyResults' : 'BadRequestData', `Parameter ${name} must not exceed ${max}`);
  return n;
}

export function boolParam(name: string, raw: string | undefined): boolean {
  if (raw === undefined) return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  raise('BadRequestData', `Parameter ${name} must be true or false`);
}

export interface Representation {
  format: Format;
  sysAttrs: boolean;
}

const FORMATS: Record<string, Format> = {
  normalized: 'normalized',
  concise: 'concise',
  keyValues: 'keyValues',
  simplified: 'keyValues',
};

/** `options` and `format` (clause 6.3.7, 6.3.12): one representation at most; sysAttrs is additive. */
export function representationOf(q: Record<string, string | undefined>, extraOptions: readonly string[] = []): Representation & { options: Set<string> } {
  const options = new Set(listParam('options', q.options) ?? []);
  const formats = new Set<Format>();
  for (const o of options) {
    if (o in FORMATS) formats.add(FORMATS[o]);
    else if (o !== 'sysAttrs' && !extraOptions.includes(o)) raise('BadRequestData', `Option ${JSON.stringify(o.slice(0, 50))} is not known for this operation`);
  }
  if (q.format !== undefined) {
    if (!(q.format in FORMATS)) raise('BadRequestData', `format must be one of normalized, concise, simplified, keyValues`);
    formats.add(FORMATS[q.format]);
  }
  if (formats.size > 1) raise('BadRequestData', `Conflicting representations requested: ${[...formats].join(', ')}`);
  return { format: [...formats][0] ?? 'normalized', sysAttrs: options.has('sysAttrs'), options };
}

/**
 * A list of attribute names (attrs, pick, omit, expandValues), expanded with the request's context; `literal`
 * members (id, type, scope) stay as they are. A name clause 4.6.2 refuses is a 400 naming the parameter, rather
 * than a database error or an empty answer.
 */
export function expandedNames(name: string, raw: string | undefined, tm: TermMap, literal: readonly string[] = []): string[] | undefined {
  return listParam(name, raw)?.map((t) => {
    if (literal.includes(t)) return t;
    if (!isValidAttributeName(t)) raise('BadRequestData', `Parameter ${name} holds ${JSON.stringify(t.slice(0, 200))}, which is not a valid attribute name`);
    return tm.expand(t);
  });
}

export function expandedSet(name: string, raw: string | undefined, tm: TermMap, literal: readonly string[] = []): Set<string> | undefined {
  const names = expandedNames(name, raw, tm, literal);
  return names && new Set(names);
}

/** The `datasetId` selection of attribute instances (clause 4.5.5): URIs, `@none` for the default instance. */
export function datasetIdsParam(raw: string | undefined): string[] | undefined {
  const ids = listParam('datasetId', raw);
  for (const d of ids ?? []) if (d !== '@none' && !isUri(d)) raise('BadRequestData', `datasetId ${JSON.stringify(d.slice(0, 200))} is not a URI or @none`);
  return ids;
}

/** datasetId and deleteAll of an attribute deletion (clauses 5.6.5, 5.6.13): one datasetId (a URI), or all. */
export function deletionParams(q: Record<string, string | undefined>, isUri: (s: string) => boolean): { datasetId?: string; deleteAll: boolean } {
  const deleteAll = boolParam('deleteAll', q.deleteAll);
  if (q.datasetId !== undefined && !isUri(q.datasetId)) raise('BadRequestData', `datasetId ${JSON.stringify(q.datasetId.slice(0, 200))} is not a URI`);
  if (deleteAll && q.datasetId !== undefined) raise('BadRequestData', 'datasetId and deleteAll=true cannot be used together');
  return q.datasetId === undefined ? { deleteAll } : { datasetId: q.datasetId, deleteAll };
}

/** The `lang` parameter (clause 4.15): language tags, each with an optional weight, or `*`. */
export function langParam(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^(\*|[A-Za-z0-9-]+(;q=[0-9.]+)?)(,\s*[A-Za-z0-9-]+(;q=[0-9.]+)?)*$/.test(raw)) {
    raise('BadRequestData', `lang ${JSON.stringify(raw.slice(0, 50))} is not a language tag list`);
  }
  return raw;
}

/** The path segment of an attribute or entity id, decoded by the router; ids must be URIs. */
export function entityIdParam(raw: string, isUri: (s: string) => boolean): string {
  if (!isUri(raw)) raise('BadRequestData', `Entity id ${JSON.stringify(raw.slice(0, 200))} is not a URI`);
  return raw;
}

/**
 * The pagination Link header (clause 5.5.9): the same request with the offset of the previous and next pages.
 */
export function pageLinks(req: FastifyRequest, offset: number, limit: number, more: boolean): string[] {
  const links: string[] = [];
  const at = (o: number) => {
    const u = new URL(req.url, 'http://x');
    u.searchParams.set('offset', String(o));
    u.searchParams.set('limit', String(limit));
    return `<${u.pathname}${u.search}>`;
  };
  if (offset > 0 && limit > 0) links.push(`${at(Math.max(0, offset - limit))}; rel="prev"; type="application/ld+json"`);
  if (more) links.push(`${at(offset + limit)}; rel="next"; type="application/ld+json"`);
  return links;
}

/** `limit`, `offset` and `count` of a paged query (clause 6.3.10); limit=0 only counts. */
export function pageParams(q: Record<string, string | undefined>, o: { maxLimit: number; defaultLimit: number }): { limit: number; offset: number; count: boolean } {
  const count = boolParam('count', q.count);
  const limit = intParam('limit', q.limit, 0, o.maxLimit) ?? o.defaultLimit;
  const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  if (limit === 0 && !count) raise('BadRequestData', 'limit=0 is only allowed together with count=true');
  return { limit, offset, count };
}
