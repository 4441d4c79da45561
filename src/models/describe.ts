/**
 * What a model says of each attribute, read from its JSON Schema for people and for the NGSI-LD structure check:
 * the schema's own `properties` and those of the `allOf` blocks it `$ref`s (GSMA-Commons, Location-Commons…),
 * with the JSON type, enum, bounds and format of each, and what Smart Data Models write in the description:
 * the NGSI-LD attribute type as its first word (`Property.`, `Relationship.`, `GeoProperty.`), then
 * `Model:'<IRI>'` and `Units:'<text>'`.
 *
 * Best effort: validation is ajv's (models/compiler.ts); a `$ref` this cannot follow only leaves a gap here.
 */

export type NgsiAttributeType = 'Property' | 'Relationship' | 'GeoProperty' | 'LanguageProperty' | 'VocabProperty' | 'JsonProperty' | 'ListProperty' | 'ListRelationship';

export interface AttributeDescription {
  name: string;
  /** The NGSI-LD attribute type the description names, if it names one. */
  ngsiType?: NgsiAttributeType;
  required: boolean;
  /** JSON types the value may have (of every branch of an anyOf/oneOf). */
  types: string[];
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  /** For arrays: the JSON types and enum of the items. */
  items?: { types: string[]; enum?: unknown[] };
  units?: string;
  /** The vocabulary term the attribute stands for (`Model:'https://schema.org/…'`). */
  model?: string;
  description?: string;
}

export interface ModelDescription {
  title?: string;
  description?: string;
  schemaId?: string;
  /** Members the schema requires, `id` and `type` included. */
  required: string[];
  /** The attributes (every property but `id` and `type`), in schema order. */
  attributes: AttributeDescription[];
}

type Json = Record<string, unknown>;
export type ResolveDocument = (url: string) => Promise<unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const MAX_DEPTH = 32;
const NGSI_TYPES = new Set(['Property', 'Relationship', 'GeoProperty', 'LanguageProperty', 'VocabProperty', 'JsonProperty', 'ListProperty', 'ListRelationship']);

/** A schema node and the document it sits in (for `#…` references) with that document's base URL. */
interface Located {
  node: Json;
  doc: Json;
  base: string;
}

/** RFC 6901 evaluation of a fragment pointer (`#/definitions/X`). */
function pointer(doc: Json, fragment: string): Json | undefined {
  if (fragment === '' || fragment === '/') return doc;
  let at: unknown = doc;
  try {
    for (const raw of fragment.replace(/^\//, '').split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      at = isObject(at) && Object.hasOwn(at, key) ? at[key] : Array.isArray(at) ? at[Number(key)] : undefined;
    }
  } catch {
    return undefined;
  }
  return isObject(at) ? at : undefined;
}

class Resolver {
  constructor(private readonly resolveDocument: ResolveDocument) {}

  /** Follows `$ref`s from `l` until a node without one (bounded). */
  async deref(l: Located, depth = 0): Promise<Located | undefined> {
    const ref = l.node.$ref;
    if (typeof ref !== 'string') return l;
    if (depth >= MAX_DEPTH) return undefined;
    const hash = ref.indexOf('#');
    const address = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? '' : ref.slice(hash + 1);
    let doc = l.doc;
    let base = l.base;
    if (address !== '') {
      try {
        base = new URL(address, l.base || undefined).toString();
      } catch {
        return undefined;
      }
      const loaded = await this.resolveDocument(base).catch(() => undefined);
      if (!isObject(loaded)) return undefined;
      doc = loaded;
    }
    const node = pointer(doc, fragment);
    return node && this.deref({ node, doc, base }, depth + 1);
  }
}

/** `Property. Model:'https://schema.org/Text'. Units:'Km/h'. Text` → its parts. */
function readDescription(text: string): Pick<AttributeDescription, 'ngsiType' | 'model' | 'units' | 'description'> {
  const out: Pick<AttributeDescription, 'ngsiType' | 'model' | 'units' | 'description'> = {};
  let rest = text.trim();
  const first = /^([A-Za-z]+)\.\s*/.exec(rest);
  if (first && NGSI_TYPES.has(first[1])) {
    out.ngsiType = first[1] as NgsiAttributeType;
    rest = rest.slice(first[0].length);
  }
  rest = rest.replace(/Model:\s*'([^']*)'\.?\s*/, (_m, iri: string) => ((out.model = iri), ''));
  rest = rest.replace(/Units:\s*'([^']*)'\.?\s*/, (_m, units: string) => ((out.units = units.replace(/\.$/, '')), ''));
  rest = rest.trim();
  if (rest !== '') out.description = rest;
  return out;
}

function typesOf(node: Json, branches: readonly Json[]): string[] {
  const out = new Set<string>();
  const add = (t: unknown) => {
    if (typeof t === 'string') out.add(t);
    else if (Array.isArray(t)) for (const x of t) if (typeof x === 'string') out.add(x);
  };
  add(node.type);
  for (const b of branches) add(b.type);
  return [...out];
}

async function describeProperty(name: string, l: Located, resolver: Resolver): Promise<AttributeDescription> {
  const target = (await resolver.deref(l)) ?? l;
  const node = target.node;
  const branches: Json[] = [];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    for (const b of list) {
      const d = isObject(b) ? await resolver.deref({ ...target, node: b }) : undefined;
      if (d) branches.push(d.node);
    }
  }
  const text = [l.node.description, node.description, ...branches.map((b) => b.description)].find((d) => typeof d === 'string');
  const out: AttributeDescription = { name, required: false, types: typesOf(node, branches), ...readDescription(typeof text === 'string' ? text : '') };
  if (typeof node.format === 'string') out.format = node.format;
  if (Array.isArray(node.enum)) out.enum = node.enum;
  if (typeof node.minimum === 'number') out.minimum = node.minimum;
  if (typeof node.maximum === 'number') out.maximum = node.maximum;
  if (isObject(node.items)) {
    const items = (await resolver.deref({ ...target, node: node.items })) ?? { ...target, node: node.items };
    out.items = { types: typesOf(items.node, []), ...(Array.isArray(items.node.enum) ? { enum: items.node.enum } : {}) };
  }
  return out;
}

interface Gathered {
  props: Map<string, Located>;
  required: Set<string>;
  /** Nodes already gathered: a schema that `$ref`s itself from several `allOf` branches is read once, not 2^depth times. */
  seen: Set<Json>;
}

/** Gathers properties and required names through `$ref` and `allOf`. */
async function gather(l: Located, resolver: Resolver, out: Gathered, depth: number): Promise<void> {
  if (depth > MAX_DEPTH) return;
  const at = await resolver.deref(l);
  if (!at || out.seen.has(at.node)) return;
  out.seen.add(at.node);
  const { props, required } = out;
  const node = at.node;
  if (isObject(node.properties)) {
    for (const [name, p] of Object.entries(node.properties)) if (isObject(p)) props.set(name, { ...at, node: p });
  }
  if (Array.isArray(node.required)) for (const r of node.required) if (typeof r === 'string') required.add(r);
  if (Array.isArray(node.allOf)) {
    for (const part of node.allOf) if (isObject(part)) await gather({ ...at, node: part }, resolver, out, depth + 1);
  }
}

/** Describes a model from its schema; `$ref`s to other documents are read through `resolveDocument`. */
export async function describeSchema(schema: Json, resolveDocument: ResolveDocument): Promise<ModelDescription> {
  const resolver = new Resolver(resolveDocument);
  const base = typeof schema.$id === 'string' ? schema.$id : '';
  const props = new Map<string, Located>();
  const required = new Set<string>();
  await gather({ node: schema, doc: schema, base }, resolver, { props, required, seen: new Set() }, 0);
  const attributes: AttributeDescription[] = [];
  for (const [name, l] of props) {
    if (name === 'id' || name === 'type') continue;
    const a = await describeProperty(name, l, resolver);
    a.required = required.has(name);
    attributes.push(a);
  }
  const out: ModelDescription = { required: [...required], attributes };
  if (typeof schema.title === 'string') out.title = schema.title;
  if (typeof schema.description === 'string') out.description = schema.description;
  if (base !== '') out.schemaId = base;
  return out;
}
