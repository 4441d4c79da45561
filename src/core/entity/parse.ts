/**
 * Request bodies → the internal model (clauses 4.5, 4.6, 5.2.4, 5.6): entity, entity fragment, attribute value.
 * Pure: the caller has parsed the JSON and compiled the `@context` into a TermMap (a body `@context` member is
 * ignored here). Every expected failure is a BadRequestData whose detail names the attribute as the client wrote it.
 *
 * Decisions the spec leaves open (documented here, tested in parse.test.ts):
 * - Concise form (clause 4.5.11): without `type`, the member present decides (value → Property, object →
 *   Relationship, languageMap, vocab, json, valueList, objectList → their types). `{ "value": <geometry> }` is a
 *   GeoProperty whatever the attribute name: the concise representation writes a GeoProperty with sub-attributes
 *   that way, so reading it as a Property would not round-trip. An explicit `"type": "Property"` keeps a
 *   geometry-shaped value a Property. A bare GeoJSON geometry is a GeoProperty; any other bare value (primitive,
 *   array, object without those members) is a Property whose value it is (simplified form).
 * - An array is a multi-attribute (clause 4.5.5) when it is non-empty, all its elements are objects and at least
 *   one of them is an attribute instance (a known `type`, or one of the members above); otherwise it is a value.
 * - The NGSI-LD Null (clause 5.2.1) is refused (BadRequestData) unless `allowNull` (merge patch, partial update),
 *   where it becomes `{ type: 'Property', value: NGSI_LD_NULL }` (plus `datasetId` if given) without timestamps.
 */
import type { TermMap } from '../context/termmap.js';
import { fail, ok, type Result } from '../problem.js';
import { isGeometryLike, parseGeometryValue } from './geojson.js';
import { attributeKeywords, attributeTypes, contentMember, entityKeywords, NGSI_LD_NULL } from './model.js';
import type { Attribute, AttributeType, Entity } from './model.js';
import { isDateTime, isLanguageTag, isScope, isUri, isValidAttributeName } from './uri.js';

export { isUri, isValidAttributeName } from './uri.js';

export interface EntityFragment {
  id?: string;
  types?: string[];
  scope?: string[];
  attrs: Record<string, Attribute[]>;
}

/** Deepest attribute nesting accepted (an attribute is level 1): bounds the recursion on hostile bodies. */
export const MAX_ATTRIBUTE_DEPTH = 16;

interface Ctx {
  readonly tm: TermMap;
  readonly now: string;
  readonly allowNull: boolean;
}

type Json = Record<string, unknown>;

const contentMembers = ['value', 'object', 'languageMap', 'vocab', 'json', 'valueList', 'objectList'];
const conciseType: Record<string, AttributeType> = {
  object: 'Relationship',
  languageMap: 'LanguageProperty',
  vocab: 'VocabProperty',
  json: 'JsonProperty',
  valueList: 'ListProperty',
  objectList: 'ListRelationship',
};
const entityMembers = new Set([...entityKeywords, '@id', '@type']);

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const own = (o: Json, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const isAttributeType = (t: unknown): t is AttributeType =>
  typeof t === 'string' && (attributeTypes as readonly string[]).includes(t);
const bad = (detail: string) => fail<never>('BadRequestData', detail);

/** Sets an own property even for keys such as `__proto__`, so hostile names cannot reach a prototype. */
function define(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A short, safe rendering of a client value for error details. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

// ---------------------------------------------------------------- entity level

/** Clause 5.6.1 / 5.6.18 / 5.6.8: a create, replace or upsert body (id and type required). */
export function parseEntity(body: unknown, tm: TermMap, now: string): Result<Entity> {
  const r = parseMembers(body, { tm, now, allowNull: false });
  if (!r.ok) return r;
  const { id, types, scope, attrs } = r.value;
  if (id === undefined) return bad('Entity has no id');
  if (types === undefined) return bad(`Entity ${id} has no type`);
  return ok({ id, types, ...(scope === undefined ? {} : { scope }), createdAt: now, modifiedAt: now, attrs });
}

/** Clauses 5.6.2, 5.6.3, 5.6.17, 5.6.9: fragment bodies, id and type optional. */
export function parseFragment(body: unknown, tm: TermMap, now: string, opts: { allowNull: boolean }): Result<EntityFragment> {
  return parseMembers(body, { tm, now, allowNull: opts.allowNull });
}

/** Clauses 5.6.4 / 5.6.19: the body of PATCH/PUT …/attrs/{attrId}; `iri` is the expanded name from the path. */
export function parseAttributeValue(
  iri: string,
  value: unknown,
  tm: TermMap,
  now: string,
  opts: { allowNull: boolean },
): Result<Attribute[]> {
  const name = tm.compact(iri);
  if (value === null || value === undefined) return fail('InvalidRequest', `The body for attribute ${name} is null`);
  return parseAttribute(name, value, { tm, now, allowNull: opts.allowNull }, 1);
}

/** Whether an attribute (or sub-attribute) parsed with `allowNull` asks for deletion. */
export function isNullAttribute(a: Attribute): boolean {
  return a.type === 'Property' && a.value === NGSI_LD_NULL;
}

function parseMembers(body: unknown, ctx: Ctx): Result<EntityFragment> {
  if (!isObject(body)) return bad(`The request body must be a JSON object, not ${show(body)}`);
  const out: EntityFragment = { attrs: {} };
  const id = alias(body, 'id', '@id');
  if (!id.ok) return id;
  if (id.value !== undefined) {
    if (typeof id.value !== 'string' || !isUri(id.value) || id.value === NGSI_LD_NULL) {
      return bad(`Entity id ${show(id.value)} is not a URI`);
    }
    out.id = id.value;
  }
  const type = alias(body, 'type', '@type');
  if (!type.ok) return type;
  if (type.value !== undefined) {
    const types = parseTypeNames(type.value, ctx.tm, 'Entity type');
    if (!types.ok) return types;
    out.types = types.value;
  }
  if (Object.hasOwn(body, 'scope')) {
    const scope = parseScope(body.scope, ctx.allowNull);
    if (!scope.ok) return scope;
    out.scope = scope.value;
  }
  const attrs = parseAttributes(body, ctx);
  if (!attrs.ok) return attrs;
  out.attrs = attrs.value;
  return ok(out);
}

/** `id`/`@id` and `type`/`@type` are aliases in JSON-LD; both at once is ambiguous. */
function alias(body: Json, a: string, b: string): Result<unknown> {
  if (Object.hasOwn(body, a) && Object.hasOwn(body, b)) return bad(`Entity has both ${a} and ${b}`);
  return ok(Object.hasOwn(body, a) ? body[a] : own(body, b));
}

/** Entity types and objectType values: names (clause 4.6.2) expanded to IRIs, duplicates removed. */
function parseTypeNames(raw: unknown, tm: TermMap, what: string): Result<string[]> {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0) return bad(`${what} must be a string or a non-empty array of strings`);
  const out: string[] = [];
  for (const t of list) {
    if (typeof t !== 'string') return bad(`${what} must be a string or a non-empty array of strings, not ${show(t)}`);
    const iri = expandName(t, tm, what);
    if (!iri.ok) return iri;
    if (!out.includes(iri.value)) out.push(iri.value);
  }
  return ok(out);
}

/** Validates a name (clause 4.6.2) and expands it; the result must be an absolute IRI. */
function expandName(name: string, tm: TermMap, what: string): Result<string> {
  if (!isValidAttributeName(name) || name === NGSI_LD_NULL) return bad(`${what} ${show(name)} is not a valid name`);
  const iri = tm.expand(name);
  if (!isUri(iri)) return bad(`${what} ${show(name)} does not expand to an IRI with the given @context`);
  return ok(iri);
}

/** Clause 4.18: scopes; the NGSI-LD Null deletes them in merge patch. */
function parseScope(raw: unknown, allowNull: boolean): Result<string[]> {
  if (allowNull && raw === NGSI_LD_NULL) return ok([NGSI_LD_NULL]);
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0) return bad('Entity scope must be a string or a non-empty array of strings');
  const out: string[] = [];
  for (const s of list) {
    if (typeof s !== 'string' || !isScope(s)) return bad(`Entity scope ${show(s)} is not a valid scope (clause 4.18)`);
    if (!out.includes(s)) out.push(s);
  }
  return ok(out);
}

function parseAttributes(body: Json, ctx: Ctx): Result<Record<string, Attribute[]>> {
  const attrs: Record<string, Attribute[]> = {};
  const names = new Map<string, string>();
  for (const key of Object.keys(body)) {
    if (entityMembers.has(key)) continue;
    const iri = expandName(key, ctx.tm, 'Attribute name');
    if (!iri.ok) return iri;
    const other = names.get(iri.value);
    if (other !== undefined) return bad(`Attributes ${other} and ${key} expand to the same IRI ${iri.value}`);
    names.set(iri.value, key);
    const r = parseAttribute(key, body[key], ctx, 1);
    if (!r.ok) return r;
    define(attrs, iri.value, r.value);
  }
  return ok(attrs);
}

// ---------------------------------------------------------------- attribute level

function isInstanceLike(x: unknown): boolean {
  if (!isObject(x)) return false;
  const t = own(x, 'type');
  if (t === undefined) return contentMembers.some((k) => Object.hasOwn(x, k));
  return isAttributeType(t);
}

/** One attribute: a single instance or, at level 1 only, a multi-attribute (clause 4.5.5). */
function parseAttribute(path: string, raw: unknown, ctx: Ctx, depth: number): Result<Attribute[]> {
  const multi = Array.isArray(raw) && raw.length > 0 && raw.every(isObject) && raw.some(isInstanceLike);
  if (!multi) {
    const r = parseInstance(path, raw, ctx, depth);
    return r.ok ? ok([r.value]) : r;
  }
  if (depth > 1) return bad(`Sub-attribute ${path} cannot have several instances`);
  const out: Attribute[] = [];
  const datasetIds = new Set<string | undefined>();
  for (const item of raw as unknown[]) {
    const r = parseInstance(path, item, ctx, depth);
    if (!r.ok) return r;
    const ds = r.value.datasetId;
    if (datasetIds.has(ds)) {
      const which = ds === undefined ? 'without datasetId' : `with datasetId ${ds}`;
      return bad(`Attribute ${path} has more than one instance ${which}`);
    }
    datasetIds.add(ds);
    out.push(r.value);
  }
  return ok(out);
}

/** What a raw attribute object is: a declared or inferred attribute type, a bare geometry, or a plain value. */
function classify(path: string, raw: Json): Result<AttributeType | 'geometry' | 'simplified'> {
  if (Object.hasOwn(raw, 'type')) {
    const t = raw.type;
    if (isAttributeType(t)) return ok(t);
    if (isGeometryLike(raw)) return ok('geometry');
    return bad(`Attribute ${path} has type ${show(t)}, which is not one of ${attributeTypes.join(', ')}`);
  }
  const present = contentMembers.filter((k) => Object.hasOwn(raw, k));
  if (present.length > 1) return bad(`Attribute ${path} is ambiguous: it has both ${present[0]} and ${present[1]}`);
  if (present.length === 0) return ok('simplified');
  if (present[0] !== 'value') return ok(conciseType[present[0]]);
  return ok(isGeometryLike(raw.value) ? 'GeoProperty' : 'Property');
}

function parseInstance(path: string, raw: unknown, ctx: Ctx, depth: number): Result<Attribute> {
  if (depth > MAX_ATTRIBUTE_DEPTH) return bad(`Attribute ${path} nests sub-attributes deeper than ${MAX_ATTRIBUTE_DEPTH} levels`);
  if (raw === null || raw === undefined) return bad(`Attribute ${path} is null`);
  if (raw === NGSI_LD_NULL) return nullAttribute(path, undefined, ctx);
  if (!isObject(raw)) return ok(stamp({ type: 'Property', value: raw }, ctx));
  const kind = classify(path, raw);
  if (!kind.ok) return kind;
  if (kind.value === 'simplified') return ok(stamp({ type: 'Property', value: raw }, ctx));
  if (kind.value === 'geometry') {
    const g = parseGeoValue(path, raw);
    return g.ok ? ok(stamp({ type: 'GeoProperty', value: g.value }, ctx)) : g;
  }
  return parseTyped(path, raw, kind.value, ctx, depth);
}

function parseTyped(path: string, raw: Json, type: AttributeType, ctx: Ctx, depth: number): Result<Attribute> {
  const member = contentMember[type];
  const foreign = contentMembers.find((k) => k !== member && Object.hasOwn(raw, k));
  if (foreign !== undefined) return bad(`Attribute ${path} of type ${type} cannot have member ${foreign}`);
  const content = own(raw, member);
  if (content === undefined) return bad(`Attribute ${path} of type ${type} has no ${member}`);
  if (content === null) return bad(`Attribute ${path} has a null ${member}`);
  if (isNullContent(member, content)) return nullAttribute(path, raw, ctx);
  const parsed = parseContent(path, type, content, ctx);
  if (!parsed.ok) return parsed;
  const attr: Attribute = { type };
  define(attr, member, parsed.value);
  return parseMeta(path, raw, attr, ctx, depth);
}

/** The NGSI-LD Null as each content member spells it (clause 5.2.1 and 4.5.x "deleted" representations). */
function isNullContent(member: string, v: unknown): boolean {
  if (v === NGSI_LD_NULL) return true;
  if (member === 'languageMap') return isObject(v) && Object.keys(v).length === 1 && own(v, '@none') === NGSI_LD_NULL;
  if (member !== 'valueList' && member !== 'objectList') return false;
  if (!Array.isArray(v) || v.length !== 1) return false;
  return v[0] === NGSI_LD_NULL || (member === 'objectList' && isObject(v[0]) && own(v[0], 'object') === NGSI_LD_NULL);
}

function nullAttribute(path: string, raw: Json | undefined, ctx: Ctx): Result<Attribute> {
  if (!ctx.allowNull) {
    return bad(`Attribute ${path} holds the NGSI-LD Null, which only deletes in merge patch and partial updates`);
  }
  const attr: Attribute = { type: 'Property', value: NGSI_LD_NULL };
  const ds = raw === undefined ? undefined : own(raw, 'datasetId');
  if (ds !== undefined) {
    if (typeof ds !== 'string' || !isUri(ds)) return bad(`Attribute ${path} has datasetId ${show(ds)}, which is not a URI`);
    attr.datasetId = ds;
  }
  return ok(attr);
}

function parseContent(path: string, type: AttributeType, v: unknown, ctx: Ctx): Result<unknown> {
  switch (type) {
    case 'Property':
      return ok(v);
    case 'GeoProperty':
      return parseGeoValue(path, v);
    case 'Relationship':
      return parseObject(path, v);
    case 'LanguageProperty':
      return parseLanguageMap(path, v);
    case 'VocabProperty':
      return parseVocab(path, v, ctx.tm);
    case 'JsonProperty':
      return typeof v === 'object' ? ok(v) : bad(`JsonProperty ${path} needs a JSON object or array as json, not ${show(v)}`);
    case 'ListProperty':
      return Array.isArray(v) ? ok(v) : bad(`ListProperty ${path} needs an array as valueList, not ${show(v)}`);
    case 'ListRelationship':
      return parseObjectList(path, v);
  }
}

function parseGeoValue(path: string, v: unknown): Result<unknown> {
  const g = parseGeometryValue(v);
  return g.ok ? g : bad(`GeoProperty ${path} has an invalid value: ${g.problem.detail}`);
}

/** Clause 4.5.3: one target URI, or several (multi-object Relationship). */
function parseObject(path: string, v: unknown): Result<string | string[]> {
  if (typeof v === 'string') return isUri(v) ? ok(v) : bad(`Relationship ${path} has object ${show(v)}, which is not a URI`);
  if (!Array.isArray(v) || v.length === 0) return bad(`Relationship ${path} needs a URI or a non-empty array of URIs as object`);
  for (const o of v) {
    if (typeof o !== 'string' || !isUri(o)) return bad(`Relationship ${path} has object ${show(o)}, which is not a URI`);
  }
  return ok([...new Set(v as string[])]);
}

/** Clause 4.5.20: ordered targets, `["urn:a"]` (concise) or `[{ "object": "urn:a" }]` (normalized). */
function parseObjectList(path: string, v: unknown): Result<Array<{ object: string }>> {
  if (!Array.isArray(v)) return bad(`ListRelationship ${path} needs an array as objectList, not ${show(v)}`);
  const out: Array<{ object: string }> = [];
  for (const item of v) {
    const o = isObject(item) ? own(item, 'object') : item;
    if (typeof o !== 'string' || !isUri(o)) {
      return bad(`ListRelationship ${path} has objectList item ${show(o)}, which is not a URI`);
    }
    out.push({ object: o });
  }
  return ok(out);
}

/** Clause 4.5.18: language tag (or @none) → string or array of strings. */
function parseLanguageMap(path: string, v: unknown): Result<Record<string, string | string[]>> {
  if (!isObject(v)) return bad(`LanguageProperty ${path} needs an object as languageMap, not ${show(v)}`);
  const out: Record<string, string | string[]> = {};
  for (const tag of Object.keys(v)) {
    if (tag !== '@none' && !isLanguageTag(tag)) {
      return bad(`LanguageProperty ${path} has ${show(tag)}, which is not a language tag`);
    }
    const s = v[tag];
    const ok1 = typeof s === 'string' || (Array.isArray(s) && s.length > 0 && s.every((x) => typeof x === 'string'));
    if (!ok1) return bad(`LanguageProperty ${path} needs a string or an array of strings for language ${tag}`);
    define(out, tag, typeof s === 'string' ? s : [...(s as string[])]);
  }
  return ok(out);
}

/** Clause 4.5.21: vocab names are expanded like types. */
function parseVocab(path: string, v: unknown, tm: TermMap): Result<string | string[]> {
  const r = parseTypeNames(v, tm, `VocabProperty ${path} vocab`);
  if (!r.ok) return r;
  return ok(typeof v === 'string' ? r.value[0] : r.value);
}

// ---------------------------------------------------------------- attribute members

/** Keyword members (datasetId, observedAt, unitCode, objectType), system members ignored, sub-attributes. */
function parseMeta(path: string, raw: Json, attr: Attribute, ctx: Ctx, depth: number): Result<Attribute> {
  const subs: Array<[string, Attribute]> = [];
  const names = new Map<string, string>();
  for (const key of Object.keys(raw)) {
    if (key === 'type' || contentMembers.includes(key)) continue;
    const v = raw[key];
    const r = parseMember(path, key, v, attr, ctx);
    if (!r.ok) return r;
    if (r.value === 'handled') continue;
    const iri = expandName(key, ctx.tm, `Sub-attribute name of ${path}:`);
    if (!iri.ok) return iri;
    const other = names.get(iri.value);
    if (other !== undefined) return bad(`Sub-attributes ${path}.${other} and ${path}.${key} expand to the same IRI ${iri.value}`);
    names.set(iri.value, key);
    const sub = parseAttribute(`${path}.${key}`, v, ctx, depth + 1);
    if (!sub.ok) return sub;
    subs.push([iri.value, sub.value[0]]);
  }
  stamp(attr, ctx);
  for (const [iri, sub] of subs) define(attr, iri, sub);
  return ok(attr);
}

/** Validity of the keyword members with a scalar value (clauses 4.5.2, 4.8): test and the reason given on failure. */
const scalarMembers: Record<string, [(v: unknown) => boolean, string]> = {
  datasetId: [(v) => typeof v === 'string' && isUri(v) && v !== NGSI_LD_NULL, 'is not a URI'],
  observedAt: [(v) => typeof v === 'string' && isDateTime(v), 'is not an ISO 8601 date-time with time zone'],
  unitCode: [(v) => typeof v === 'string' && v.length > 0, 'is not a non-empty string'],
};

function parseMember(path: string, key: string, v: unknown, attr: Attribute, ctx: Ctx): Result<'handled' | 'sub'> {
  const scalar = Object.hasOwn(scalarMembers, key) ? scalarMembers[key] : undefined;
  if (scalar !== undefined) {
    if (!scalar[0](v)) return bad(`Attribute ${path} has ${key} ${show(v)}, which ${scalar[1]}`);
    attr[key] = v;
    return ok('handled');
  }
  if (key === 'objectType') {
    if (attr.type !== 'Relationship' && attr.type !== 'ListRelationship') {
      return bad(`Attribute ${path} of type ${attr.type} cannot have member objectType`);
    }
    const t = parseTypeNames(v, ctx.tm, `Relationship ${path} objectType`);
    if (!t.ok) return t;
    attr.objectType = typeof v === 'string' ? t.value[0] : t.value;
    return ok('handled');
  }
  if (key === 'id' || key === '@id') return bad(`Attribute ${path} cannot have member ${key}`);
  // createdAt, modifiedAt, deletedAt, instanceId, previous*, lang: system-generated or output-only (clause 4.5.2).
  return ok(attributeKeywords.has(key) ? 'handled' : 'sub');
}

function stamp(attr: Attribute, ctx: Ctx): Attribute {
  attr.createdAt = ctx.now;
  attr.modifiedAt = ctx.now;
  return attr;
}
