/** Shared fixtures of the ops tests: stored entities at T0, request fragments stamped NOW like the parser does. */
import { attributeKeywords, type Attribute, type Entity } from './model.js';

export const T0 = '2024-01-01T00:00:00.000Z';
export const NOW = '2024-06-01T00:00:00.000Z';
export const EX = 'https://example.org/';
export const ID = 'urn:ngsi-ld:Vehicle:1';

/** Stamps createdAt/modifiedAt on an attribute and its sub-attributes. */
export function stamp(a: Partial<Attribute>, at: string): Attribute {
  const out = { ...a, createdAt: at, modifiedAt: at } as Attribute;
  for (const [k, v] of Object.entries(a)) {
    if (!attributeKeywords.has(k) && typeof v === 'object' && v !== null) out[k] = stamp(v as Attribute, at);
  }
  return out;
}

/** A stored attribute instance (created at T0). */
export const stored = (a: Partial<Attribute>): Attribute => stamp(a, T0);
/** A parsed request attribute (created "now" by the parser). */
export const given = (a: Partial<Attribute>): Attribute => stamp(a, NOW);

export function entity(attrs: Record<string, Attribute[]>, extra: Partial<Entity> = {}): Entity {
  return { id: ID, types: [`${EX}Vehicle`], createdAt: T0, modifiedAt: T0, attrs, ...extra };
}

/** Recursively freezes a value so that any mutation by the code under test throws (ESM is strict). */
export function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}
