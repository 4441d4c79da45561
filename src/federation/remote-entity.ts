/**
 * Reading the entities a context source answers (clause 4.3.6.4: the broker merges them with its own). Sources are
 * asked for the normalized representation with system attributes (clause 4.5.1), compacted with the requester's
 * @context, so the same term map expands them back. An answer that is not an entity is skipped, never trusted.
 */
import type { TermMap } from '../core/context/termmap.js';
import { attributeKeywords, entityKeywords, type Attribute, type Entity } from '../core/entity/model.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An attribute instance with its sub-attribute names expanded (keywords kept as they are). */
function instanceOf(raw: unknown, tm: TermMap): Attribute | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  const out: Json = {};
  for (const [k, v] of Object.entries(raw)) {
    if (attributeKeywords.has(k)) out[k] = v;
    else {
      const sub = instanceOf(v, tm);
      if (sub) out[tm.expand(k)] = sub;
    }
  }
  return out as unknown as Attribute;
}

const strings = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/** The entity a source answered, names expanded; undefined when it is not a normalized entity. */
export function remoteEntity(raw: unknown, tm: TermMap, now: string): Entity | undefined {
  if (!isObject(raw) || typeof raw.id !== 'string') return undefined;
  const types = strings(raw.type);
  if (!types || types.length === 0) return undefined;
  const e: Entity = {
    id: raw.id,
    types: types.map((t) => tm.expand(t)),
    createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : now,
    modifiedAt: typeof raw.modifiedAt === 'string' ? raw.modifiedAt : now,
    attrs: {},
  };
  const scope = strings(raw.scope);
  if (scope) e.scope = scope;
  for (const [k, v] of Object.entries(raw)) {
    if (entityKeywords.has(k)) continue;
    const instances = (Array.isArray(v) ? v : [v]).map((i) => instanceOf(i, tm)).filter((i) => i !== undefined);
    if (instances.length > 0) e.attrs[tm.expand(k)] = instances;
  }
  return e;
}
