/**
 * Linked Entity Retrieval (clause 4.5.23): `join=flat` adds the entities that Relationships point to (up to
 * `joinLevel` hops) to the answer; `join=inline` nests each one inside the Relationship that points to it, as
 * `entity` (`entityList` for a ListRelationship); in keyValues the Relationship's value becomes the entity.
 * `containedBy` lists ids already met by the caller: they are not fetched again (no loops).
 */
import type { TermMap } from '../core/context/termmap.js';
import type { Entity } from '../core/entity/model.js';
import { isUri } from '../core/entity/parse.js';
import { renderEntity, type RenderOptions } from '../core/entity/render.js';
import { raise } from '../core/problem.js';
import type { RequestContext } from '../core/request.js';
import type { ApiDeps } from './deps.js';
import { intParam, listParam } from './params.js';

export interface Join {
  kind: 'flat' | 'inline';
  level: number;
  containedBy: Set<string>;
}

const MAX_JOIN_LEVEL = 10;
/** Most linked entities fetched for one answer: a graph larger than this is cut at the level that passes it. */
const MAX_LINKED = 10_000;

export function joinOf(q: Record<string, string | undefined>): Join | undefined {
  if (q.join === undefined || q.join === '@none') {
    if (q.joinLevel !== undefined || q.containedBy !== undefined) raise('BadRequestData', 'joinLevel and containedBy apply only together with join=flat or join=inline');
    return undefined;
  }
  if (q.join !== 'flat' && q.join !== 'inline') raise('BadRequestData', `join must be flat, inline or @none, not ${JSON.stringify(q.join.slice(0, 50))}`);
  const level = intParam('joinLevel', q.joinLevel, 1, MAX_JOIN_LEVEL) ?? 1;
  const containedBy = listParam('containedBy', q.containedBy) ?? [];
  for (const id of containedBy) if (!isUri(id)) raise('BadRequestData', `containedBy ${JSON.stringify(id.slice(0, 200))} is not an entity id (a URI)`);
  return { kind: q.join, level, containedBy: new Set(containedBy) };
}

/** The target ids of every Relationship and ListRelationship instance of an entity. */
function targets(e: Entity): string[] {
  const out: string[] = [];
  for (const instances of Object.values(e.attrs)) {
    for (const a of instances) {
      if (a.type === 'Relationship') out.push(...(Array.isArray(a.object) ? a.object : a.object === undefined ? [] : [a.object]));
      if (a.type === 'ListRelationship') out.push(...(a.objectList ?? []).map((o) => o.object));
    }
  }
  return out;
}

/** Fetches the entities linked from `roots`, level by level, in the tenant; returns them by id. */
export async function fetchLinked(deps: ApiDeps, rc: RequestContext, roots: readonly Entity[], join: Join): Promise<Map<string, Entity>> {
  const found = new Map<string, Entity>();
  const seen = new Set<string>([...join.containedBy, ...roots.map((e) => e.id)]);
  let frontier = [...roots];
  for (let level = 0; level < join.level && frontier.length && found.size < MAX_LINKED; level++) {
    const ids = [...new Set(frontier.flatMap(targets))].filter((id) => !seen.has(id)).slice(0, MAX_LINKED - found.size);
    if (ids.length === 0) break;
    for (const id of ids) seen.add(id);
    const { entities } = await deps.store.queryEntities(rc.tenant, { ids, limit: ids.length, offset: 0, count: false });
    for (const e of entities) found.set(e.id, e);
    frontier = entities;
  }
  return found;
}

/** The entities to answer for join=flat: the page, then each linked entity once. */
export function flatten(page: readonly Entity[], linked: Map<string, Entity>): Entity[] {
  const inPage = new Set(page.map((e) => e.id));
  return [...page, ...[...linked.values()].filter((e) => !inPage.has(e.id))];
}

/**
 * Renders an entity with its linked entities nested (join=inline). `path` holds the ids on the way down, so a
 * cycle stops instead of recursing forever.
 */
export function renderInline(e: Entity, tm: TermMap, o: RenderOptions, linked: Map<string, Entity>, depth: number, path = new Set<string>()): Record<string, unknown> {
  const out = renderEntity(e, tm, o);
  if (depth <= 0) return out;
  const inner = new Set([...path, e.id]);
  const nested = (id: string): Record<string, unknown> | undefined => {
    const t = linked.get(id);
    return t && !inner.has(id) ? renderInline(t, tm, o, linked, depth - 1, inner) : undefined;
  };
  for (const [iri, instances] of Object.entries(e.attrs)) {
    const key = tm.compact(iri);
    if (!(key in out) || !instances.some((a) => a.type === 'Relationship' || a.type === 'ListRelationship')) continue;
    out[key] = inlineValue(out[key], o.format === 'keyValues', nested);
  }
  return out;
}

function inlineValue(rendered: unknown, keyValues: boolean, nested: (id: string) => Record<string, unknown> | undefined): unknown {
  if (keyValues) {
    if (typeof rendered === 'string') return nested(rendered) ?? rendered;
    if (Array.isArray(rendered)) return rendered.map((x) => (typeof x === 'string' ? (nested(x) ?? x) : x));
    return rendered;
  }
  const one = (r: unknown): unknown => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return r;
    const a = r as Record<string, unknown>;
    if (typeof a.object === 'string') {
      const t = nested(a.object);
      return t ? { ...a, entity: t } : a;
    }
    if (Array.isArray(a.object)) return { ...a, entity: a.object.map((id) => (typeof id === 'string' ? (nested(id) ?? null) : null)) };
    if (Array.isArray(a.objectList)) {
      const ids = a.objectList.map((x) => (typeof x === 'string' ? x : (x as { object?: unknown })?.object));
      return { ...a, entityList: ids.map((id) => (typeof id === 'string' ? (nested(id) ?? null) : null)) };
    }
    return a;
  };
  return Array.isArray(rendered) ? rendered.map(one) : one(rendered);
}
