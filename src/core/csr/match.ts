/**
 * Matching registrations against what an operation is about (clauses 4.3.6 and 5.12): which Context Source
 * Registrations concern an entity, a query, or each other. Pure and in memory; the store evaluates the same
 * semantics in SQL for discovery (store/registrations/where.ts), and the contract tests check that both agree.
 *
 * Contract (the base of distributed operations, issue #6 part 2):
 * - `matchRegistration(reg, target, o)` is undefined when the registration has nothing to offer for `target`:
 *   it has expired at `o.now`; it does not support `o.operation` (groups expanded, clause 4.20); its time
 *   intervals do not fit (`o.time` given: the interval of its time property must overlap it; none given: a
 *   registration with an observationInterval or managementInterval serves temporal operations only, 5.10.2);
 *   or no information item (5.2.10) matches. An item matches when its entities match (absent: any entity) and
 *   its attributes meet the target's (absent on either side: any attribute).
 * - An EntityInfo matches a known entity when the entity has all its types (an unknown type matches) and its id
 *   equals `id` or matches `idPattern` (neither: any id); it matches a query when the query's type selection
 *   holds over its types, and an id or idPattern of the query fits its id or idPattern (two patterns are assumed
 *   to overlap: a source may hold such entities).
 * - The result says what to ask the source for: `attrs` is the target's attributes limited to those the matching
 *   items name, or the items' own names when the target asks for every attribute; undefined means every
 *   attribute the target asks for. `entities` are the matching EntityInfos (undefined: an item named none).
 * - Geo-queries, scopeQ, q and csf of a query are not evaluated here: discovery evaluates them in SQL.
 * - `byPrecedence` orders matches as clause 4.3.6.4 processes them: exclusive, redirect, inclusive, auxiliary.
 */
import type { TypeExpr } from '../query/type-expr.js';
import { attributesOf, type ContextSourceRegistration, type EntityInfo, type RegistrationInfo } from './model.js';
import { expandOperations, type Operation } from './operations.js';
import { intervalMember, overlaps, type RegistrationTimeQuery } from './time.js';

/** What an operation is about, every name expanded. */
export type EntityTarget =
  /** One entity (retrieve, or a write): its id, and its types when known. */
  | { kind: 'entity'; id: string; types?: readonly string[]; attrs?: readonly string[] }
  /** A query (5.7.2) or a discovery: a type selection, ids or an id pattern, attributes. */
  | { kind: 'query'; type?: TypeExpr; ids?: readonly string[]; idPattern?: string; attrs?: readonly string[] };

export interface MatchOptions {
  /** The operation to be distributed; any operation when absent (discovery). */
  operation?: Operation;
  /** Time of the request: an expired registration matches nothing. */
  now?: string;
  /** The temporal query of a temporal operation. */
  time?: RegistrationTimeQuery;
}

export interface RegistrationMatch {
  registration: ContextSourceRegistration;
  /** The EntityInfos that matched; undefined when a matching item names no entities (any entity). */
  entities?: EntityInfo[];
  /** Attributes to ask the source for; undefined: every attribute the target asks for. */
  attrs?: string[];
}

export function typeMatches(e: TypeExpr, types: readonly string[]): boolean {
  if (e.kind === 'type') return types.includes(e.iri);
  return e.kind === 'and' ? e.items.every((i) => typeMatches(i, types)) : e.items.some((i) => typeMatches(i, types));
}

/** A pattern stored or given was checked to compile; one that does not here matches nothing. */
function test(pattern: string, id: string): boolean {
  try {
    return new RegExp(pattern).test(id);
  } catch {
    return false;
  }
}

function entityInfoMatches(e: EntityInfo, t: EntityTarget): boolean {
  if (t.kind === 'entity') {
    if (t.types !== undefined && !e.types.every((x) => t.types!.includes(x))) return false;
    if (e.id !== undefined) return e.id === t.id;
    return e.idPattern === undefined || test(e.idPattern, t.id);
  }
  if (t.type !== undefined && !typeMatches(t.type, e.types)) return false;
  if (t.ids !== undefined && (e.id !== undefined || e.idPattern !== undefined)) {
    if (!t.ids.some((id) => (e.id !== undefined ? e.id === id : test(e.idPattern!, id)))) return false;
  }
  if (t.idPattern !== undefined && e.id !== undefined && !test(t.idPattern, e.id)) return false;
  return true;
}

/** The item's answer to the target: undefined (no match), or what to ask for (attrs undefined: all). */
function infoMatch(info: RegistrationInfo, t: EntityTarget): { entities?: EntityInfo[]; attrs?: string[] } | undefined {
  let entities: EntityInfo[] | undefined;
  if (info.entities !== undefined) {
    entities = info.entities.filter((e) => entityInfoMatches(e, t));
    if (entities.length === 0) return undefined;
  }
  const named = attributesOf(info);
  if (t.attrs === undefined) return { entities, attrs: named };
  if (named === undefined) return { entities, attrs: [...t.attrs] };
  const attrs = t.attrs.filter((a) => named.includes(a));
  return attrs.length > 0 ? { entities, attrs } : undefined;
}

function timeFits(r: ContextSourceRegistration, time: RegistrationTimeQuery | undefined): boolean {
  if (time === undefined) return r.observationInterval === undefined && r.managementInterval === undefined;
  const interval = r[intervalMember(time)];
  return interval !== undefined && overlaps(interval, time);
}

export function matchRegistration(r: ContextSourceRegistration, t: EntityTarget, o: MatchOptions = {}): RegistrationMatch | undefined {
  if (o.now !== undefined && r.expiresAt !== undefined && Date.parse(r.expiresAt) <= Date.parse(o.now)) return undefined;
  if (o.operation !== undefined && !expandOperations(r.operations).includes(o.operation)) return undefined;
  if (!timeFits(r, o.time)) return undefined;
  const hits = r.information.map((i) => infoMatch(i, t)).filter((m) => m !== undefined);
  if (hits.length === 0) return undefined;
  const anyEntity = hits.some((h) => h.entities === undefined);
  const anyAttr = hits.some((h) => h.attrs === undefined);
  const out: RegistrationMatch = { registration: r };
  if (!anyEntity) out.entities = hits.flatMap((h) => h.entities!);
  if (!anyAttr) out.attrs = [...new Set(hits.flatMap((h) => h.attrs!))];
  return out;
}

const precedence = { exclusive: 0, redirect: 1, inclusive: 2, auxiliary: 3 } as const;

/** Clause 4.3.6.4: exclusive registrations first, then redirect, inclusive and last auxiliary (stable within a mode). */
export function byPrecedence<M extends { registration: Pick<ContextSourceRegistration, 'mode'> }>(matches: readonly M[]): M[] {
  return [...matches].sort((a, b) => precedence[a.registration.mode] - precedence[b.registration.mode]);
}

// ---------------------------------------------------------------- conflicts between registrations (5.9.2, 4.3.6.3)

/** Whether one entity could be described by both EntityInfos: a shared type, and ids that can coincide. */
function entityInfosOverlap(a: EntityInfo, b: EntityInfo): boolean {
  if (!a.types.some((t) => b.types.includes(t))) return false;
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  if (a.id !== undefined && b.idPattern !== undefined) return test(b.idPattern, a.id);
  if (b.id !== undefined && a.idPattern !== undefined) return test(a.idPattern, b.id);
  return true;
}

/** Whether two information items may describe one attribute of one entity. */
export function informationOverlaps(a: RegistrationInfo, b: RegistrationInfo): boolean {
  const [na, nb] = [attributesOf(a), attributesOf(b)];
  if (na !== undefined && nb !== undefined && !na.some((n) => nb.includes(n))) return false;
  if (a.entities === undefined || b.entities === undefined) return true;
  return a.entities.some((x) => b.entities!.some((y) => entityInfosOverlap(x, y)));
}

/**
 * Clause 4.3.6.3: an exclusive registration makes its source the only one for its attributes of its entities, so
 * it conflicts with any other registration (but an auxiliary one, a mere fallback) that covers one of them.
 */
export function registrationsConflict(a: ContextSourceRegistration, b: ContextSourceRegistration): boolean {
  if (a.mode === 'auxiliary' || b.mode === 'auxiliary') return false;
  if (a.mode !== 'exclusive' && b.mode !== 'exclusive') return false;
  return a.information.some((x) => b.information.some((y) => informationOverlaps(x, y)));
}
