/**
 * The body that adds a model through the API, checked member by member so that each mistake gets a precise 400:
 *
 *   { "schema": {JSON Schema of the keyValues form},                  required
 *     "type": "ParkingSpot",                                          default: the schema's `type` enum value
 *     "context": URL | {…} | [URL | {…}],                             default: the core context only
 *     "documents": { "<URL>": {JSON Schema document}, … } }          the documents `$ref`s name, when
 *                                                                     MIMOSA_MODELS_DIR does not hold them
 */
import { fail, ok, type Result } from '../core/problem.js';

type Json = Record<string, unknown>;

export interface ModelInput {
  type: string;
  schema: Json;
  context: unknown[];
  documents: Record<string, Json>;
}

/** Deepest nesting accepted in a schema or document: bounds the recursion of the compiler on hostile input. */
export const MAX_SCHEMA_DEPTH = 64;
const MAX_DOCUMENTS = 100;
const MEMBERS = ['type', 'schema', 'context', 'documents'];

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const bad = (detail: string) => fail<never>('BadRequestData', detail);

function tooDeep(x: unknown): boolean {
  const stack: Array<[unknown, number]> = [[x, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_SCHEMA_DEPTH) return true;
    for (const c of Array.isArray(v) ? v : Object.values(v)) stack.push([c, depth + 1]);
  }
  return false;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hash === '';
  } catch {
    return false;
  }
}

/** The one value of the schema's `type` property enum (or const), in the schema or its local allOf blocks. */
function typeOfSchema(schema: Json): string | undefined {
  for (const node of [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : [])]) {
    const t = isObject(node) && isObject(node.properties) ? node.properties.type : undefined;
    if (!isObject(t)) continue;
    if (typeof t.const === 'string') return t.const;
    if (Array.isArray(t.enum) && t.enum.length === 1 && typeof t.enum[0] === 'string') return t.enum[0];
  }
  return undefined;
}

function contextOf(raw: unknown): Result<unknown[]> {
  if (raw === undefined) return ok([]);
  const entries = Array.isArray(raw) ? raw : [raw];
  for (const e of entries) {
    if (typeof e === 'string' && isHttpUrl(e)) continue;
    if (isObject(e) && !tooDeep(e)) continue;
    return bad('context must be a URL (http or https), a JSON-LD context object, or an array of those');
  }
  return ok(entries);
}

function documentsOf(raw: unknown): Result<Record<string, Json>> {
  if (raw === undefined) return ok({});
  if (!isObject(raw)) return bad('documents must be an object mapping URLs to JSON Schema documents');
  const entries = Object.entries(raw);
  if (entries.length > MAX_DOCUMENTS) return bad(`documents holds ${entries.length} documents; at most ${MAX_DOCUMENTS} are accepted`);
  const out: Record<string, Json> = {};
  for (const [url, doc] of entries) {
    if (!isHttpUrl(url)) return bad(`documents key ${JSON.stringify(url.slice(0, 200))} is not an http(s) URL without fragment`);
    if (!isObject(doc)) return bad(`documents[${JSON.stringify(url)}] must be a JSON object`);
    if (tooDeep(doc)) return bad(`documents[${JSON.stringify(url)}] is nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
    Object.defineProperty(out, url, { value: doc, enumerable: true });
  }
  return ok(out);
}

export function parseModelInput(body: unknown): Result<ModelInput> {
  if (!isObject(body)) return bad('A model must be a JSON object with a schema member');
  const unknown = Object.keys(body).find((k) => !MEMBERS.includes(k));
  if (unknown !== undefined) return bad(`Member ${JSON.stringify(unknown.slice(0, 100))} is not one of ${MEMBERS.join(', ')}`);
  const schema = body.schema;
  if (!isObject(schema)) return bad('schema must be a JSON Schema object');
  if (tooDeep(schema)) return bad(`schema is nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
  const type = body.type ?? typeOfSchema(schema);
  if (type === undefined) return bad('The model names no entity type: give type, or a schema whose type property has one enum value');
  if (typeof type !== 'string' || !/^[^\s<>"{}|\\^`]{1,256}$/.test(type)) return bad('type must be an entity type name (1 to 256 characters, no spaces)');
  const context = contextOf(body.context);
  if (!context.ok) return context;
  const documents = documentsOf(body.documents);
  if (!documents.ok) return documents;
  return ok({ type, schema, context: context.value, documents: documents.value });
}
