/**
 * Merging what the broker and its context sources hold about the same entities (clause 4.3.6.4): entities are
 * joined by id, their types and attributes combined; instances of one attribute are told apart by datasetId
 * (clause 4.5.5), and for the same instance the most recent observedAt, else modifiedAt, wins.
 */
import type { Attribute, Entity } from '../core/entity/model.js';

const NONE = '@none';

function stamp(a: Attribute): number {
  const t = a.observedAt ?? a.modifiedAt;
  return t === undefined ? Number.NEGATIVE_INFINITY : Date.parse(t);
}

function mergeInstances(a: readonly Attribute[], b: readonly Attribute[]): Attribute[] {
  const byDataset = new Map<string, Attribute>();
  for (const i of [...a, ...b]) {
    const key = i.datasetId ?? NONE;
    const held = byDataset.get(key);
    // the earlier source wins a tie: the local broker comes first
    if (!held || stamp(i) > stamp(held)) byDataset.set(key, i);
  }
  return [...byDataset.values()];
}

function later(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function earlier(a: string, b: string): string {
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function mergeEntity(a: Entity, b: Entity): Entity {
  const attrs: Record<string, Attribute[]> = { ...a.attrs };
  for (const [name, instances] of Object.entries(b.attrs)) attrs[name] = attrs[name] ? mergeInstances(attrs[name], instances) : instances;
  const out: Entity = {
    id: a.id,
    types: [...new Set([...a.types, ...b.types])],
    createdAt: earlier(a.createdAt, b.createdAt),
    modifiedAt: later(a.modifiedAt, b.modifiedAt),
    attrs,
  };
  if (a.scope || b.scope) out.scope = [...new Set([...(a.scope ?? []), ...(b.scope ?? [])])];
  return out;
}

/** Merges lists of entities (the local one first) into one list in entity id order. */
export function mergeEntities(lists: ReadonlyArray<readonly Entity[]>): Entity[] {
  const byId = new Map<string, Entity>();
  for (const list of lists) {
    for (const e of list) {
      const held = byId.get(e.id);
      byId.set(e.id, held ? mergeEntity(held, e) : e);
    }
  }
  return [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
