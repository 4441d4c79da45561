/**
 * JSON Schema validation of the keyValues form with ajv (draft 2020-12, draft-07 and draft-06 schemas too, formats
 * asserted: Smart Data Models tell IPv4 from IPv6 addresses by format alone). One ajv instance compiles every
 * schema once into a validation function; the documents their `$ref`s name are loaded once, offline, through the
 * resolver the registry gives (the models directory, documents given with API models), and shared.
 *
 * ajv's errors become violations: a JSON pointer into the validated document and a message. The errors of the
 * branches of a failed anyOf/oneOf are folded into it (six GeoJSON branches saying why a value is not a Polygon
 * help nobody), and a missing or forbidden member is pointed at, not its parent.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import addFormats from 'ajv-formats';
import { fail, ok, type Result } from '../core/problem.js';
import type { Violation } from '../store/port.js';

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Most violations reported for one document: enough to fix it, bounded for a hostile one. */
export const MAX_VIOLATIONS = 100;
const MAX_ENUM_SHOWN = 20;

const KNOWN_META = new Set([
  'https://json-schema.org/draft/2020-12/schema',
  'http://json-schema.org/draft-07/schema#',
  'http://json-schema.org/draft-07/schema',
  'http://json-schema.org/draft-06/schema#',
  'http://json-schema.org/draft-06/schema',
]);

/** Validates one keyValues document. */
export type Validate = (doc: unknown) => Violation[];

export interface Compiled {
  validate: Validate;
  /** Forgets the schema (its `$id` may be used again). */
  release(): void;
}

class UnresolvedReference extends Error {
  constructor(readonly url: string) {
    super(`$ref ${url} cannot be resolved offline`);
  }
}

/** A `$schema` ajv has no meta-schema for (draft-04, `http://json-schema.org/schema#`) is read as draft 2020-12. */
function normalized(schema: Json): Json {
  if (schema.$schema === undefined || (typeof schema.$schema === 'string' && KNOWN_META.has(schema.$schema))) return schema;
  const { $schema: _unknown, ...rest } = schema;
  return rest;
}

const token = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const shown = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function violation(e: ErrorObject): Violation {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { pointer: `${e.instancePath}/${token(String(p.missingProperty))}`, message: 'is required by the model' };
    case 'additionalProperties':
      return { pointer: `${e.instancePath}/${token(String(p.additionalProperty))}`, message: 'is not allowed by the model' };
    case 'enum': {
      const values = Array.isArray(p.allowedValues) ? p.allowedValues : [];
      const list = values.slice(0, MAX_ENUM_SHOWN).map(shown).join(', ');
      return { pointer: e.instancePath, message: `must be one of ${list}${values.length > MAX_ENUM_SHOWN ? ', …' : ''}` };
    }
    case 'const':
      return { pointer: e.instancePath, message: `must be ${shown(p.allowedValue)}` };
    case 'anyOf':
      return { pointer: e.instancePath, message: 'matches none of the forms the model allows' };
    case 'oneOf':
      return {
        pointer: e.instancePath,
        message: p.passingSchemas ? 'matches several of the forms the model allows, where it must match exactly one' : 'matches none of the forms the model allows',
      };
    default:
      return { pointer: e.instancePath, message: e.message ?? `fails the model's ${e.keyword} rule` };
  }
}

/** ajv errors → violations, branch errors of failed anyOf/oneOf folded, duplicates dropped, at most MAX_VIOLATIONS. */
export function violationsOf(errors: readonly ErrorObject[]): Violation[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if' || combinators.some((c) => e.schemaPath.startsWith(c))) continue;
    const v = violation(e);
    const key = `${v.pointer}\n${v.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
    if (out.length === MAX_VIOLATIONS) break;
  }
  return out;
}

export class SchemaCompiler {
  readonly #ajv: Ajv2020;

  /** `resolveDocument` gives the document of a `$ref` URL (fragment removed), or undefined. */
  constructor(resolveDocument: (url: string) => Promise<unknown>) {
    this.#ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      logger: false,
      loadSchema: async (url) => {
        const doc = await resolveDocument(url);
        if (!isObject(doc)) throw new UnresolvedReference(url);
        // Known by the URL it was asked by: a document reached through two URLs is two documents, not an $id clash.
        return normalized({ ...doc, $id: url });
      },
    });
    addFormats.default(this.#ajv);
    this.#ajv.addMetaSchema(draft07);
    this.#ajv.addMetaSchema(draft06);
  }

  /** Compiles a model's schema; an invalid schema, an unresolvable `$ref` or an `$id` in use is a failure. */
  async compile(schema: Json): Promise<Result<Compiled>> {
    const own = normalized(schema);
    try {
      const fn = await this.#ajv.compileAsync(own);
      const validate: Validate = (doc) => (fn(doc) ? [] : violationsOf(fn.errors ?? []));
      return ok({ validate, release: () => this.#forget(own) });
    } catch (e) {
      this.#forget(own);
      const message = (e as Error).message ?? String(e);
      if (e instanceof UnresolvedReference) return fail('BadRequestData', `The schema's ${e.message}: its document is not in MIMOSA_MODELS_DIR nor among the documents given`);
      if (/already exists/.test(message)) return fail('AlreadyExists', `The schema's $id ${String(schema.$id)} is already the $id of another schema`);
      if (/^schema is invalid/.test(message)) return fail('BadRequestData', `The schema is not a valid JSON Schema: ${message.replace(/^schema is invalid:\s*/, '')}`);
      return fail('BadRequestData', `The schema cannot be compiled: ${message.slice(0, 500)}`);
    }
  }

  /** Removes `own` from ajv, and only it: never another schema that holds the same `$id`. */
  #forget(own: Json): void {
    const id = typeof own.$id === 'string' ? own.$id.replace(/#$/, '') : undefined;
    const registered = id === undefined ? undefined : (this.#ajv.schemas[id] ?? this.#ajv.refs[id]);
    if (id === undefined || (typeof registered === 'object' && registered.schema === own)) this.#ajv.removeSchema(own);
  }
}
