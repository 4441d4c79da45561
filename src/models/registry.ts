/**
 * The models Mimosa knows, from MIMOSA_MODELS_DIR and from the API, by the IRI of the entity type each governs
 * (its short name expanded with the model's @context) and by short name.
 *
 * A model is compiled and described when first needed (a write of a tenant that validates it, a dry run, a
 * description), once; the result, failure included, is kept. Directory schemas are read at that moment.
 */
import type { TermMap } from '../core/context/termmap.js';
import { fail, ok, type Result } from '../core/problem.js';
import { type Compiled, SchemaCompiler } from './compiler.js';
import type { JudgingModel } from './conformance.js';
import { describeSchema } from './describe.js';
import type { ModelDirectory } from './directory.js';

type Json = Record<string, unknown>;

export interface ModelEntry {
  readonly name: string;
  /** Expanded IRI of the entity type: the model's identity. */
  readonly typeIri: string;
  readonly source: 'directory' | 'api';
  /** The directory's subject (dataModel.Parking), for directory models. */
  readonly subject?: string;
  /** When it was added through the API. */
  readonly createdAt?: string;
  /** The model's @context, compiled. */
  readonly tm: TermMap;
  /** The documents its `$ref`s name, given with an API model. */
  readonly documents: Readonly<Record<string, unknown>>;
  schema(): Promise<Result<Json>>;
}

export interface ReadyModel extends JudgingModel {
  readonly entry: ModelEntry;
  readonly compiled: Compiled;
}

export class ModelRegistry {
  readonly #byIri = new Map<string, ModelEntry>();
  readonly #byName = new Map<string, ModelEntry[]>();
  readonly #ready = new Map<string, Promise<Result<ReadyModel>>>();
  /** Compiled models, by entry: released at once when their entry goes, so that their `$id` is free again. */
  readonly #compiled = new WeakMap<ModelEntry, ReadyModel>();
  readonly #compiler: SchemaCompiler;
  /** Models being compiled by admit(): their documents resolve already. */
  readonly #admitting = new Set<ModelEntry>();

  /**
   * `coreTm` is the core context alone: the bare name of a model's type expands with it to an alias IRI (the
   * default vocabulary), which entities written without the model's @context have.
   */
  constructor(
    private readonly coreTm: TermMap,
    private readonly directory?: ModelDirectory,
  ) {
    this.#compiler = new SchemaCompiler((url) => this.resolveDocument(url));
  }

  /** A `$ref` document: given with an API model, else in the directory. */
  async resolveDocument(url: string): Promise<unknown> {
    for (const e of [...this.#admitting, ...this.#byIri.values()]) if (Object.hasOwn(e.documents, url)) return e.documents[url];
    return this.directory?.document(url);
  }

  all(): ModelEntry[] {
    return [...this.#byIri.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.typeIri < b.typeIri ? -1 : 1));
  }

  byIri(iri: string): ModelEntry | undefined {
    return this.#byIri.get(iri);
  }

  /** A model by type IRI, else by short name (which must name one model). */
  find(ref: string): Result<ModelEntry> {
    const exact = this.#byIri.get(ref);
    if (exact) return ok(exact);
    const named = this.#byName.get(ref) ?? [];
    if (named.length === 1) return ok(named[0]);
    if (named.length > 1) {
      return fail('BadRequestData', `Type name ${ref} names several models (${named.map((e) => e.typeIri).join(', ')}); name one by its type IRI`);
    }
    return fail('ResourceNotFound', `No model of type ${JSON.stringify(ref.slice(0, 200))} is known`);
  }

  /** The default-vocabulary IRI of the model's bare type name, unless another model has it or shares the name. */
  aliasOf(e: ModelEntry): string | undefined {
    const alias = this.coreTm.expand(e.name);
    if (alias === e.typeIri || this.#byIri.has(alias) || (this.#byName.get(e.name)?.length ?? 0) > 1) return undefined;
    return alias;
  }

  /** The model whose alias (see aliasOf) `iri` is. */
  byAlias(iri: string): ModelEntry | undefined {
    const named = this.#byName.get(this.coreTm.compact(iri));
    return named?.length === 1 && this.aliasOf(named[0]) === iri ? named[0] : undefined;
  }

  /** Adds a model; an API model replaces a directory model of the same type. */
  add(e: ModelEntry): void {
    this.remove(e.typeIri);
    this.#byIri.set(e.typeIri, e);
    this.#byName.set(e.name, [...(this.#byName.get(e.name) ?? []), e]);
  }

  remove(iri: string): ModelEntry | undefined {
    const e = this.#byIri.get(iri);
    if (!e) return undefined;
    this.#byIri.delete(iri);
    const rest = (this.#byName.get(e.name) ?? []).filter((x) => x !== e);
    if (rest.length) this.#byName.set(e.name, rest);
    else this.#byName.delete(e.name);
    const ready = this.#ready.get(iri);
    this.#ready.delete(iri);
    const compiled = this.#compiled.get(e);
    if (compiled) compiled.compiled.release();
    else void ready?.then((r) => r.ok && r.value.compiled.release());
    return e;
  }

  /** The model compiled and described (once; later calls share the result). */
  ready(e: ModelEntry): Promise<Result<ReadyModel>> {
    let pending = this.#ready.get(e.typeIri);
    if (pending === undefined) {
      pending = this.#prepare(e);
      this.#ready.set(e.typeIri, pending);
    }
    return pending;
  }

  /** Compiles a new model and adds it when it compiles; a failure leaves no trace (the model may be given again). */
  async admit(e: ModelEntry): Promise<Result<ReadyModel>> {
    this.#admitting.add(e);
    try {
      const r = await this.#prepare(e);
      if (r.ok) {
        this.add(e);
        this.#ready.set(e.typeIri, Promise.resolve(r));
      }
      return r;
    } finally {
      this.#admitting.delete(e);
    }
  }

  async #prepare(e: ModelEntry): Promise<Result<ReadyModel>> {
    const schema = await e.schema();
    if (!schema.ok) return schema;
    const compiled = await this.#compiler.compile(schema.value);
    if (!compiled.ok) return compiled;
    const description = await describeSchema(schema.value, (url) => this.resolveDocument(url));
    const ready: ReadyModel = { entry: e, name: e.name, compiled: compiled.value, validate: compiled.value.validate, description };
    this.#compiled.set(e, ready);
    return ok(ready);
  }
}
