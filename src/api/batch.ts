import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Entity } from '../core/entity/model.js';
import { appendAttributes, mergeEntity, replaceEntity, upsertUpdate } from '../core/entity/ops.js';
import { isUri, parseEntity, parseFragment, type EntityFragment } from '../core/entity/parse.js';
import { problem, ProblemError, raise, toProblemDetails, type Problem, type Result } from '../core/problem.js';
import type { RequestContext } from '../core/request.js';
import type { EntityTx } from '../store/port.js';
import { requestContext, requireTenant, type ApiDeps } from './deps.js';
import { forwardBatch, type BatchEntry } from './federated-batch.js';
import { batchItemContext, bodyContext } from './ld.js';
import { boolParam, queryOf, representationOf } from './params.js';

const B = '/ngsi-ld/v1/entityOperations';

/** Per-entity outcome of a batch (clause 5.6.7–5.6.10, 5.6.20: BatchOperationResult). */
class BatchResult {
  readonly success: string[] = [];
  readonly errors: Array<{ entityId: string; error: ReturnType<typeof toProblemDetails> }> = [];
  fail(entityId: string, p: Problem): void {
    this.errors.push({ entityId, error: toProblemDetails(p) });
  }
}

type Parsed<T> = BatchEntry<T>;

function bodyArray(req: FastifyRequest, deps: ApiDeps): unknown[] {
  const body = req.body;
  if (!Array.isArray(body)) raise('BadRequestData', 'A batch operation body must be a JSON array');
  if (body.length === 0) raise('BadRequestData', 'A batch operation body must not be empty');
  if (body.length > deps.config.batchLimit) {
    raise('BadRequestData', `A batch operation takes at most ${deps.config.batchLimit} entities (MIMOSA_BATCH_LIMIT); this one has ${body.length}`);
  }
  return body;
}

function idGuess(item: unknown): string {
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const id = (item as Record<string, unknown>).id ?? (item as Record<string, unknown>)['@id'];
    if (typeof id === 'string') return id;
  }
  return typeof item === 'string' ? item : '';
}

/** Resolves each element's @context and parses it; failures go to the result, successes are returned in order. */
async function parseAll<T>(
  req: FastifyRequest,
  deps: ApiDeps,
  items: unknown[],
  result: BatchResult,
  parse: (item: unknown, tm: Parameters<typeof parseEntity>[1]) => Result<T & { id?: string }>,
): Promise<Array<Parsed<T>>> {
  const shared = await bodyContext(req, items, deps.contexts);
  const out: Array<Parsed<T>> = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    try {
      const ld = await batchItemContext(req, item, shared, deps.contexts);
      const r = parse(item, ld.tm);
      if (!r.ok) result.fail(idGuess(item), r.problem);
      else if (r.value.id === undefined) result.fail('', problem('BadRequestData', `Entity at index ${index} has no id`));
      else out.push({ index, id: r.value.id, value: r.value, raw: item, tm: ld.tm });
    } catch (e) {
      if (!(e instanceof ProblemError)) throw e;
      result.fail(idGuess(item), e.problem);
    }
  }
  return out;
}

function send(reply: FastifyReply, r: BatchResult, allOk: () => FastifyReply): FastifyReply {
  if (r.errors.length > 0) return reply.code(207).type('application/json').send({ success: r.success, errors: r.errors });
  return allOk();
}

/** Runs the write part of a batch in one transaction of the tenant. */
function inTx<T>(deps: ApiDeps, rc: RequestContext, fn: (tx: EntityTx) => Promise<T>): Promise<T> {
  return deps.store.write(rc.tenant, fn);
}

/**
 * Applies a change to existing entities (update, merge, upsert): one SELECT … FOR UPDATE, one multi-row UPDATE.
 * An entity `refused` by a model the tenant enforces (src/models) gets its error and stays as it was.
 */
async function changeExisting<T>(
  tx: EntityTx,
  parsed: Array<Parsed<T>>,
  result: BatchResult,
  change: (current: Entity, value: T) => Entity,
  missing: (p: Parsed<T>) => Entity | undefined,
  refused: (e: Entity) => Problem | undefined,
): Promise<Entity[]> {
  const current = await tx.getForUpdate([...new Set(parsed.map((p) => p.id))]);
  const created: Entity[] = [];
  const changed = new Map<string, Entity>();
  for (const p of parsed) {
    const base = changed.get(p.id) ?? current.get(p.id);
    if (base) {
      const next = change(base, p.value);
      const refusal = refused(next);
      if (refusal) result.fail(p.id, refusal);
      else {
        changed.set(p.id, next);
        result.success.push(p.id);
      }
      continue;
    }
    const fresh = missing(p);
    if (!fresh) {
      result.fail(p.id, problem('ResourceNotFound', `Entity ${p.id} does not exist`));
      continue;
    }
    const refusal = refused(fresh);
    if (refusal) {
      result.fail(p.id, refusal);
      continue;
    }
    current.set(p.id, fresh);
    created.push(fresh);
    result.success.push(p.id);
  }
  const createdIds = new Set(created.map((e) => e.id));
  if (created.length) await tx.insert(created.map((e) => changed.get(e.id) ?? e));
  const updates = [...changed.values()].filter((e) => !createdIds.has(e.id));
  if (updates.length) await tx.update(updates);
  return created;
}

export function batchRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.6.7 Batch Entity Creation.
  app.post(`${B}/create`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const local = boolParam('local', queryOf(req, ['local']).local);
    const items = bodyArray(req, deps);
    const result = new BatchResult();
    const now = deps.now();
    const parsed = await parseAll<Entity>(req, deps, items, result, (item, tm) => parseEntity(item, tm, now));
    const seen = new Set<string>();
    const once = parsed.filter((p) => {
      if (seen.has(p.id)) {
        result.fail(p.id, problem('AlreadyExists', `Entity ${p.id} appears more than once in the batch`));
        return false;
      }
      seen.add(p.id);
      return true;
    });
    const fwd = await forwardBatch(req, deps, rc, { operation: 'createBatch', path: '/entityOperations/create', local }, once);
    const unique = fwd ? fwd.here : once;
    const checks = deps.models.writeChecks(rc.tenant);
    const conforming = unique.filter((p) => {
      const refusal = checks.refusal(p.value);
      if (refusal) result.fail(p.id, refusal);
      return !refusal;
    });
    if (conforming.length) {
      const inserted = await inTx(deps, rc, (tx) => tx.insert(conforming.map((p) => p.value)));
      for (const p of conforming) {
        if (inserted.has(p.id)) result.success.push(p.id);
        else result.fail(p.id, problem('AlreadyExists', `Entity ${p.id} already exists`));
      }
      await checks.record(inserted);
    }
    await fwd?.finish(result);
    return send(reply, result, () => reply.code(201).type('application/json').send(result.success));
  });

  // Implements 5.6.8 Batch Entity Upsert (options=replace, the default, or options=update).
  app.post(`${B}/upsert`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['options', 'local']);
    const options = representationOf({ options: q.options }, ['update', 'replace']).options;
    if (options.has('update') && options.has('replace')) raise('BadRequestData', 'options=update and options=replace cannot be used together');
    const mode = options.has('update') ? 'update' : 'replace';
    const items = bodyArray(req, deps);
    const result = new BatchResult();
    const now = deps.now();
    const all = await parseAll<Entity>(req, deps, items, result, (item, tm) => parseEntity(item, tm, now));
    const how = { operation: 'upsertBatch' as const, path: '/entityOperations/upsert', params: new URLSearchParams({ options: mode }), local: boolParam('local', q.local) };
    const fwd = await forwardBatch(req, deps, rc, how, all);
    const parsed = fwd ? fwd.here : all;
    let created: Entity[] = [];
    if (parsed.length) {
      const checks = deps.models.writeChecks(rc.tenant);
      created = await inTx(deps, rc, (tx) =>
        changeExisting(
          tx,
          parsed,
          result,
          (cur, incoming) => (mode === 'update' ? upsertUpdate(cur, incoming, now) : replaceEntity(cur, incoming, now)),
          (p) => p.value,
          (e) => checks.refusal(e),
        ),
      );
      await checks.record();
    }
    await fwd?.finish(result);
    return send(reply, result, () =>
      created.length ? reply.code(201).type('application/json').send(created.map((e) => e.id)) : reply.code(204).send(),
    );
  });

  // Implements 5.6.9 Batch Entity Update (options=noOverwrite).
  app.post(`${B}/update`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['options', 'local']);
    const noOverwrite = representationOf({ options: q.options }, ['noOverwrite']).options.has('noOverwrite');
    const items = bodyArray(req, deps);
    const result = new BatchResult();
    const now = deps.now();
    const all = await parseAll<EntityFragment>(req, deps, items, result, (item, tm) => parseFragment(item, tm, now, { allowNull: false }));
    await requireTenant(deps, rc);
    const params = noOverwrite ? new URLSearchParams({ options: 'noOverwrite' }) : undefined;
    const fwd = await forwardBatch(req, deps, rc, { operation: 'updateBatch', path: '/entityOperations/update', params, local: boolParam('local', q.local) }, all);
    const parsed = fwd ? fwd.here : all;
    if (parsed.length) {
      const checks = deps.models.writeChecks(rc.tenant);
      await inTx(deps, rc, (tx) =>
        changeExisting(
          tx,
          parsed,
          result,
          (cur, f) => appendAttributes(cur, f.attrs, { noOverwrite, now }).entity,
          () => undefined,
          (e) => checks.refusal(e),
        ),
      );
      await checks.record();
    }
    await fwd?.finish(result);
    return send(reply, result, () => reply.code(204).send());
  });

  // Implements 5.6.20 Batch Entity Merge.
  app.post(`${B}/merge`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const local = boolParam('local', queryOf(req, ['local']).local);
    const items = bodyArray(req, deps);
    const result = new BatchResult();
    const now = deps.now();
    const all = await parseAll<EntityFragment>(req, deps, items, result, (item, tm) => parseFragment(item, tm, now, { allowNull: true }));
    await requireTenant(deps, rc);
    const fwd = await forwardBatch(req, deps, rc, { operation: 'mergeBatch', path: '/entityOperations/merge', local }, all);
    const parsed = fwd ? fwd.here : all;
    if (parsed.length) {
      const checks = deps.models.writeChecks(rc.tenant);
      await inTx(deps, rc, (tx) => changeExisting(tx, parsed, result, (cur, f) => mergeEntity(cur, f, now), () => undefined, (e) => checks.refusal(e)));
      await checks.record();
    }
    await fwd?.finish(result);
    return send(reply, result, () => reply.code(204).send());
  });

  // Implements 5.6.10 Batch Entity Delete.
  app.post(`${B}/delete`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const local = boolParam('local', queryOf(req, ['local']).local);
    const items = bodyArray(req, deps);
    const result = new BatchResult();
    const ids: string[] = [];
    for (const item of items) {
      if (typeof item !== 'string' || !isUri(item)) result.fail(idGuess(item), problem('BadRequestData', `${JSON.stringify(item)?.slice(0, 200)} is not an entity id (URI)`));
      else ids.push(item);
    }
    await requireTenant(deps, rc);
    const entries = [...new Set(ids)].map((id, index) => ({ index, id, value: id, raw: id }));
    const fwd = await forwardBatch(req, deps, rc, { operation: 'deleteBatch', path: '/entityOperations/delete', local }, entries);
    if (ids.length) {
      const deleted = await inTx(deps, rc, (tx) => tx.delete([...new Set(ids)]));
      const reported = new Set<string>();
      for (const id of ids) {
        if (deleted.has(id) && !reported.has(id)) result.success.push(id);
        else result.fail(id, problem('ResourceNotFound', `Entity ${id} does not exist`));
        reported.add(id);
      }
    }
    await fwd?.finish(result);
    return send(reply, result, () => reply.code(204).send());
  });
}
