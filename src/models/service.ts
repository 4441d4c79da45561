/**
 * Smart Data Models (OASC MIM2): the registry of models (MIMOSA_MODELS_DIR and the API), the validation mode of
 * each tenant and model, and the checks entity writes run (models/write-checks.ts).
 *
 * Modes and API models live in the database (store/models.ts); each process keeps them in memory, compiled, and
 * reloads them when any process changes them (LISTEN/NOTIFY): a write never reads a mode from the database, and a
 * change made through one process applies there when its answer is sent, and in the others moments later.
 */
import { createHash } from 'node:crypto';
import type { TermMap } from '../core/context/termmap.js';
import type { Entity } from '../core/entity/model.js';
import { fail, ok, type Result } from '../core/problem.js';
import type { Store, StoredModel, ValidationMode, ValidationSetting, Violation, ViolationQuery, ViolationRecord } from '../store/port.js';
import { judge } from './conformance.js';
import type { ModelDescription } from './describe.js';
import { openModelDirectory, readJson, type ModelDirectory } from './directory.js';
import { parseModelInput } from './input.js';
import { ModelRegistry, type ModelEntry } from './registry.js';
import { NO_CHECKS, WriteChecks, type ActiveModel } from './write-checks.js';

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export interface ModelServiceOptions {
  store: Pick<Store, 'models' | 'getContextByUrl' | 'putContext'>;
  /** Compiles @context entries (URLs, objects) into a TermMap, as for requests (src/contexts). */
  compileContext: (entries: readonly unknown[]) => Promise<Result<TermMap>>;
  /** MIMOSA_MODELS_DIR. */
  directory: string | undefined;
  now: () => string;
  log: { warn(obj: Record<string, unknown>, msg: string): void };
}

export interface ModelSummary {
  type: string;
  typeIri: string;
  source: 'directory' | 'api';
  subject?: string;
  validation: ValidationMode;
}

export interface ModelView extends ModelSummary, Omit<ModelDescription, 'attributes'> {
  createdAt?: string;
  attributes: Array<ModelDescription['attributes'][number] & { iri: string }>;
}

export interface DryRunResult {
  model: string;
  typeIri: string;
  /** The tenant's mode for the model: what a write would meet. */
  mode: ValidationMode;
  violations: Violation[];
}

export interface WarningView extends ViolationRecord {
  model: string;
}

export class ModelService {
  #registry: ModelRegistry | undefined;
  #directory: ModelDirectory | undefined;
  #core: TermMap | undefined;
  /** Directory models by IRI, to come back when an API model that replaced one is removed. */
  readonly #fromDirectory = new Map<string, ModelEntry>();
  #active = new Map<string, Map<string, ActiveModel>>();
  #settings: ValidationSetting[] = [];
  #unwatch: (() => Promise<void>) | undefined;
  #tail: Promise<void> = Promise.resolve();
  #pending: Promise<void> | undefined;

  constructor(private readonly o: ModelServiceOptions) {}

  // ------------------------------------------------------------------------------------------------ lifecycle

  /** Reads the directory, loads API models and modes, and follows changes. Throws when the directory is unreadable. */
  async start(): Promise<void> {
    const core = await this.o.compileContext([]);
    if (!core.ok) throw new Error(`the core @context cannot be compiled: ${core.problem.detail}`);
    this.#core = core.value;
    if (this.o.directory !== undefined) {
      try {
        this.#directory = await openModelDirectory(this.o.directory);
      } catch (e) {
        throw new Error(`MIMOSA_MODELS_DIR=${this.o.directory} cannot be read: ${(e as Error).message}`);
      }
      for (const problem of this.#directory.problems) this.o.log.warn({ problem }, 'Smart Data Models directory: passed over');
    }
    this.#registry = new ModelRegistry(core.value, this.#directory);
    if (this.#directory) {
      await this.#loadDirectory(this.#directory);
      await this.#seedContexts(this.#directory);
    }
    this.#unwatch = await this.o.store.models.watchModels(() => {
      this.refresh().catch((err: unknown) => this.o.log.warn({ err }, 'Smart Data Models: reload after a change failed'));
    });
    await this.refresh();
  }

  async stop(): Promise<void> {
    const unwatch = this.#unwatch;
    this.#unwatch = undefined;
    // The store may be closed already (its owner closes it): there is nothing left to stop listening to then.
    await unwatch?.().catch(() => undefined);
    await this.#tail;
  }

  get #reg(): ModelRegistry {
    if (!this.#registry) throw new Error('the model service is used before start()');
    return this.#registry;
  }

  async #loadDirectory(dir: ModelDirectory): Promise<void> {
    const tms = new Map<string, TermMap | undefined>();
    for (const m of dir.models) {
      if (!tms.has(m.subject)) {
        const context = dir.contexts.get(m.subject);
        const r = context === undefined ? ok(this.#core!) : await this.o.compileContext([context]);
        if (!r.ok) this.o.log.warn({ subject: m.subject, problem: r.problem.detail }, 'Smart Data Models directory: context passed over');
        tms.set(m.subject, r.ok ? r.value : undefined);
      }
      const tm = tms.get(m.subject);
      if (tm === undefined) continue;
      const typeIri = tm.expand(m.name);
      if (this.#fromDirectory.has(typeIri)) {
        this.o.log.warn({ model: m.schemaFile, typeIri }, 'Smart Data Models directory: a second model of the same type passed over');
        continue;
      }
      const schema = async (): Promise<Result<Json>> => {
        const r = await readJson(m.schemaFile);
        if (!r.ok) return r;
        return isObject(r.value) ? ok(r.value) : fail('BadRequestData', `${m.schemaFile} is not a JSON Schema object`);
      };
      const entry: ModelEntry = { name: m.name, typeIri, source: 'directory', subject: m.subject, tm, documents: {}, schema };
      this.#fromDirectory.set(typeIri, entry);
      this.#reg.add(entry);
    }
  }

  /**
   * The subject contexts of the directory are copies of the public ones: they are kept as Cached contexts under
   * their public URLs (clause 5.13), so that requests naming those URLs are served offline.
   */
  async #seedContexts(dir: ModelDirectory): Promise<void> {
    for (const [url, body] of dir.contextUrls) {
      if (await this.o.store.getContextByUrl(url)) continue;
      const id = `cached-${createHash('sha256').update(url).digest('hex').slice(0, 32)}`;
      await this.o.store.putContext({ id, url, kind: 'Cached', body, createdAt: this.o.now(), numberOfHits: 0 });
    }
  }

  /** Reloads API models and modes from the database (serialised; calls while one waits share it). */
  refresh(): Promise<void> {
    if (this.#pending) return this.#pending;
    const run = this.#tail.then(() => {
      this.#pending = undefined;
      return this.#reload();
    });
    this.#pending = run;
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #reload(): Promise<void> {
    const [stored, settings] = await Promise.all([this.o.store.models.listModels(), this.o.store.models.listValidationModes()]);
    await this.#syncApiModels(stored);
    const active = new Map<string, Map<string, ActiveModel>>();
    for (const s of settings) {
      const entry = this.#reg.byIri(s.typeIri);
      if (!entry) continue;
      const ready = await this.#reg.ready(entry);
      if (!ready.ok) {
        this.o.log.warn({ tenant: s.tenant, model: entry.name, problem: ready.problem.detail }, 'Smart Data Models: a model in use cannot be compiled');
        continue;
      }
      const forTenant = active.get(s.tenant) ?? new Map<string, ActiveModel>();
      active.set(s.tenant, forTenant);
      forTenant.set(entry.typeIri, { mode: s.mode, model: ready.value, tm: entry.tm });
      const alias = this.#reg.aliasOf(entry);
      if (alias !== undefined && !forTenant.has(alias)) forTenant.set(alias, { mode: s.mode, model: ready.value, tm: this.#core! });
    }
    this.#active = active;
    this.#settings = settings;
  }

  async #syncApiModels(stored: readonly StoredModel[]): Promise<void> {
    const wanted = new Map(stored.map((m) => [m.typeIri, m]));
    for (const e of this.#reg.all()) {
      if (e.source === 'api' && wanted.get(e.typeIri)?.createdAt !== e.createdAt) this.#drop(e.typeIri);
    }
    for (const m of stored) {
      if (this.#reg.byIri(m.typeIri)?.source === 'api') continue;
      const tm = await this.#modelContext(m.context);
      const r = tm.ok ? await this.#reg.admit(apiEntry(m, tm.value)) : tm;
      if (!r.ok) this.o.log.warn({ model: m.name, problem: r.problem.detail }, 'Smart Data Models: a stored model cannot be loaded');
    }
  }

  /** Removes a model from memory; a directory model it replaced comes back. */
  #drop(iri: string): void {
    this.#reg.remove(iri);
    const dir = this.#fromDirectory.get(iri);
    if (dir) this.#reg.add(dir);
  }

  /** Compiles a model's @context; URLs of the directory's subject contexts are read from the directory. */
  #modelContext(entries: readonly unknown[]): Promise<Result<TermMap>> {
    const local = entries.map((e) => {
      const doc = typeof e === 'string' ? this.#directory?.contextUrls.get(e) : undefined;
      return isObject(doc) ? doc['@context'] : e;
    });
    return this.o.compileContext(local);
  }

  // ------------------------------------------------------------------------------------------------ writes

  /** The checks for one request's entity writes in `tenant`. */
  writeChecks(tenant: string): WriteChecks {
    const active = this.#active.get(tenant);
    return active === undefined ? NO_CHECKS : new WriteChecks(tenant, active, (t, r) => this.#record(t, r), this.o.now);
  }

  /** Recording is done after the write committed: a failure is logged, the write stands. */
  async #record(tenant: string, records: readonly ViolationRecord[]): Promise<void> {
    try {
      await this.o.store.models.recordViolations(tenant, records);
    } catch (err) {
      this.o.log.warn({ err, tenant }, 'Smart Data Models: violations found in warn mode could not be recorded');
    }
  }

  // ------------------------------------------------------------------------------------------------ administration

  modeOf(tenant: string, typeIri: string): ValidationMode {
    return this.#settings.find((s) => s.tenant === tenant && s.typeIri === typeIri)?.mode ?? 'off';
  }

  find(ref: string): Result<ModelEntry> {
    return this.#reg.find(ref);
  }

  list(tenant: string): ModelSummary[] {
    return this.#reg.all().map((e) => this.#summary(e, tenant));
  }

  #summary(e: ModelEntry, tenant: string): ModelSummary {
    const out: ModelSummary = { type: e.name, typeIri: e.typeIri, source: e.source, validation: this.modeOf(tenant, e.typeIri) };
    if (e.subject !== undefined) out.subject = e.subject;
    return out;
  }

  async show(ref: string, tenant: string): Promise<Result<ModelView>> {
    const e = this.#reg.find(ref);
    if (!e.ok) return e;
    const ready = await this.#usable(e.value);
    if (!ready.ok) return ready;
    const { attributes, ...d } = ready.value.description;
    const view: ModelView = { ...this.#summary(e.value, tenant), ...d, attributes: attributes.map((a) => ({ ...a, iri: e.value.tm.expand(a.name) })) };
    if (e.value.createdAt !== undefined) view.createdAt = e.value.createdAt;
    return ok(view);
  }

  /** The model compiled; a model that does not compile is named as unusable (a 422, not the client's fault). */
  async #usable(e: ModelEntry) {
    const r = await this.#reg.ready(e);
    return r.ok ? r : fail<never>('OperationNotSupported', `Model ${e.name} cannot be used: ${r.problem.detail}`);
  }

  async add(body: unknown): Promise<Result<ModelEntry>> {
    const input = parseModelInput(body);
    if (!input.ok) return input;
    const { type, schema, context, documents } = input.value;
    const tm = await this.#modelContext(context);
    if (!tm.ok) return tm;
    const typeIri = tm.value.expand(type);
    const existing = this.#reg.byIri(typeIri);
    if (existing) return fail('AlreadyExists', `A model of type ${typeIri} exists already (${existing.source === 'api' ? 'added through the API' : 'from MIMOSA_MODELS_DIR'})`);
    for (const [url, doc] of Object.entries(documents)) {
      const known = await this.#reg.resolveDocument(url);
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(doc)) return fail('AlreadyExists', `Document ${url} is known already, with other content`);
    }
    const stored: StoredModel = { typeIri, name: type, schema, context, documents, createdAt: new Date(this.o.now()).toISOString() };
    const entry = apiEntry(stored, tm.value);
    const ready = await this.#reg.admit(entry);
    if (!ready.ok) return fail(ready.problem.kind, `Model ${type}: ${ready.problem.detail}`);
    if (!(await this.o.store.models.insertModel(stored))) {
      this.#drop(typeIri);
      return fail('AlreadyExists', `A model of type ${typeIri} exists already (added through another Mimosa process)`);
    }
    await this.refresh();
    return ok(entry);
  }

  async remove(ref: string): Promise<Result<void>> {
    const e = this.#reg.find(ref);
    if (!e.ok) return e;
    if (e.value.source === 'directory') return fail('OperationNotSupported', `Model ${e.value.name} comes from MIMOSA_MODELS_DIR: remove its files to remove it`);
    const deleted = await this.o.store.models.deleteModel(e.value.typeIri);
    this.#drop(e.value.typeIri);
    await this.refresh();
    return deleted ? ok(undefined) : fail('ResourceNotFound', `No model of type ${e.value.typeIri} is known`);
  }

  async setMode(ref: string, tenant: string, mode: ValidationMode): Promise<Result<ModelEntry>> {
    const e = this.#reg.find(ref);
    if (!e.ok) return e;
    if (mode !== 'off') {
      const ready = await this.#usable(e.value);
      if (!ready.ok) return ready;
    }
    await this.o.store.models.setValidationMode(tenant, e.value.typeIri, mode);
    await this.refresh();
    return e;
  }

  /** Validates an entity without storing it, against `ref` or every model of its types. */
  async dryRun(tenant: string, entity: Entity, ref?: string): Promise<Result<DryRunResult[]>> {
    const targets: Array<{ entry: ModelEntry; tm: TermMap }> = [];
    if (ref !== undefined) {
      const e = this.#reg.find(ref);
      if (!e.ok) return e;
      const viaAlias = !entity.types.includes(e.value.typeIri) && entity.types.includes(this.#reg.aliasOf(e.value) ?? '');
      targets.push({ entry: e.value, tm: viaAlias ? this.#core! : e.value.tm });
    } else {
      for (const t of entity.types) {
        const exact = this.#reg.byIri(t);
        const alias = exact ? undefined : this.#reg.byAlias(t);
        if (exact && !targets.some((x) => x.entry === exact)) targets.push({ entry: exact, tm: exact.tm });
        if (alias && !targets.some((x) => x.entry === alias)) targets.push({ entry: alias, tm: this.#core! });
      }
      if (targets.length === 0) return fail('ResourceNotFound', `No model governs the type of entity ${entity.id} (${entity.types.join(', ')})`);
    }
    const out: DryRunResult[] = [];
    for (const { entry, tm } of targets) {
      const ready = await this.#usable(entry);
      if (!ready.ok) return ready;
      out.push({ model: entry.name, typeIri: entry.typeIri, mode: this.modeOf(tenant, entry.typeIri), violations: judge(entity, ready.value, tm) });
    }
    return ok(out);
  }

  async warnings(tenant: string, q: ViolationQuery): Promise<{ items: WarningView[]; count?: number }> {
    const r = await this.o.store.models.listViolations(tenant, q);
    return { ...r, items: r.items.map((w) => ({ ...w, model: this.#reg.byIri(w.typeIri)?.name ?? w.typeIri })) };
  }
}

function apiEntry(m: StoredModel, tm: TermMap): ModelEntry {
  const schema = isObject(m.schema) ? ok(m.schema) : fail<Json>('BadRequestData', `The stored schema of model ${m.name} is not an object`);
  const documents = isObject(m.documents) ? m.documents : {};
  return { name: m.name, typeIri: m.typeIri, source: 'api', createdAt: m.createdAt, tm, documents, schema: async () => schema };
}
