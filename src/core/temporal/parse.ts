/**
 * Temporal evolution bodies (data type EntityTemporal, clause 5.2.20) → the internal model: an entity header (id,
 * type, scope) and, per attribute, any number of instances, several of one datasetId included (an evolution holds
 * every value an attribute has had). Each instance is parsed as the entity API parses one (core/entity/parse.ts),
 * so names, types and values obey the same rules; system members (createdAt, modifiedAt, deletedAt, instanceId)
 * are the broker's and are ignored.
 */
import type { TermMap } from '../context/termmap.js';
import { entityKeywords, type Attribute } from '../entity/model.js';
import { parseFragment } from '../entity/parse.js';
import { fail, ok, type Result } from '../problem.js';

export interface TemporalBody {
  id?: string;
  types?: string[];
  scope?: string[];
  attrs: Record<string, Attribute[]>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const headMembers = new Set([...entityKeywords, '@id', '@type']);

/** An attribute's instances: an array of instance objects, or one instance. */
function instancesOf(raw: unknown): unknown[] {
  return Array.isArray(raw) && raw.length > 0 && raw.every(isObject) ? raw : [raw];
}

/** Clause 5.2.20: parses an EntityTemporal (or a fragment of one: id and type optional). */
export function parseTemporalBody(body: unknown, tm: TermMap, now: string): Result<TemporalBody> {
  if (!isObject(body)) return fail('BadRequestData', 'The request body must be a JSON object (an EntityTemporal)');
  const head: Record<string, unknown> = {};
  for (const k of Object.keys(body)) if (headMembers.has(k)) head[k] = body[k];
  const h = parseFragment(head, tm, now, { allowNull: false });
  if (!h.ok) return h;
  const out: TemporalBody = { attrs: {} };
  if (h.value.id !== undefined) out.id = h.value.id;
  if (h.value.types !== undefined) out.types = h.value.types;
  if (h.value.scope !== undefined) out.scope = h.value.scope;
  for (const [key, raw] of Object.entries(body)) {
    if (headMembers.has(key)) continue;
    for (const item of instancesOf(raw)) {
      const one = parseFragment({ [key]: item }, tm, now, { allowNull: false });
      if (!one.ok) return one;
      for (const [iri, instances] of Object.entries(one.value.attrs)) {
        if (!Object.hasOwn(out.attrs, iri)) Object.defineProperty(out.attrs, iri, { value: [], enumerable: true, writable: true, configurable: true });
        out.attrs[iri].push(...instances);
      }
    }
  }
  return ok(out);
}
