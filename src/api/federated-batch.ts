/**
 * The API side of distributed batch operations (src/federation/batch.ts): which part of each entity of a batch stays
 * here, and how the sources' outcomes join the local BatchOperationResult. An entity succeeds when every party it was
 * sent to wrote its part; one that is not held here counts as written when a source wrote it (a proxied entity).
 */
import type { FastifyRequest } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import type { Attribute } from '../core/entity/model.js';
import type { Operation } from '../core/csr/operations.js';
import { problem, type Problem, type ProblemDetails } from '../core/problem.js';
import type { RequestContext } from '../core/request.js';
import { planBatch, sendBatches, type SourceFailure } from '../federation/batch.js';
import { bodyFor } from '../federation/write.js';
import type { ApiDeps } from './deps.js';
import { pick } from './entity-params.js';
import { forwardable, header } from './federated.js';

/** One parsed entity of a batch, with what forwarding needs: the element as received and its @context. */
export interface BatchEntry<T> {
  index: number;
  id: string;
  value: T;
  raw: unknown;
  /** The element's @context (absent for the ids of a delete). */
  tm?: TermMap;
}

/** The BatchOperationResult being built (clause 5.2.16). */
export interface BatchOutcome {
  readonly success: string[];
  readonly errors: Array<{ entityId: string; error: ProblemDetails }>;
  fail(entityId: string, p: Problem): void;
}

export interface ForwardedBatch<T> {
  /** The entries to write here, each limited to the attributes that stay here. */
  here: Array<BatchEntry<T>>;
  /** Waits for the sources and folds their outcomes into the result of the local part. */
  finish(result: BatchOutcome): Promise<void>;
}

type WithAttrs = { attrs: Record<string, Attribute[]>; types?: readonly string[] };

const KIND_OF_STATUS: Record<number, Problem['kind']> = { 400: 'BadRequestData', 404: 'ResourceNotFound', 409: 'AlreadyExists' };
const problemOf = (f: SourceFailure): Problem => problem((f.status !== undefined && KIND_OF_STATUS[f.status]) || 'ServiceUnavailable', f.detail);

/**
 * Forwards the parts of a batch that registered sources take; undefined when the batch stays local (`local=true`,
 * a Via loop, or no registration concerns it). `entries` of a delete carry no attributes.
 */
export async function forwardBatch<T extends WithAttrs | string>(
  req: FastifyRequest,
  deps: ApiDeps,
  rc: RequestContext,
  o: { operation: Operation; path: string; params?: URLSearchParams; local: boolean | undefined },
  entries: Array<BatchEntry<T>>,
): Promise<ForwardedBatch<T> | undefined> {
  if (!forwardable(req, deps, o.local)) return undefined;
  const attrsOf = (v: T) => (typeof v === 'string' ? [] : Object.keys(v.attrs));
  const typesOf = (v: T) => (typeof v === 'string' ? undefined : v.types && v.types.length > 0 ? v.types : undefined);
  const items = entries.map((e) => ({ index: e.index, id: e.id, types: typesOf(e.value), attrs: attrsOf(e.value) }));
  const plan = await planBatch(deps.federation, rc.tenant, o.operation, items);
  if (!plan) return undefined;
  const byIndex = new Map(entries.map((e) => [e.index, e]));
  const element = (index: number, attrs: readonly string[]) => {
    const e = byIndex.get(index)!;
    return typeof e.value === 'string' || e.tm === undefined ? e.raw : bodyFor(e.raw, attrs, e.tm);
  };
  const forwarding = { tenant: rc.tenant, link: header(req, 'link'), via: header(req, 'via') };
  const sent = sendBatches(deps.federation, forwarding, plan, o.path, o.params, element);
  const here = entries.filter((e) => plan.local.has(e.index)).map((e) => restrict(e, plan.local.get(e.index)!));
  const onlyThere = entries.filter((e) => !plan.local.has(e.index)).map((e) => e.id);
  return {
    here,
    finish: async (result) => {
      const outcomes = await sent;
      const failed = new Map<string, SourceFailure>();
      const written = new Set<string>();
      for (const out of outcomes) {
        for (const [id, why] of out.failed) if (!failed.has(id)) failed.set(id, why);
        for (const id of out.sent) if (!out.failed.has(id)) written.add(id);
      }
      fold(result, failed, written, onlyThere);
    },
  };
}

function restrict<T extends WithAttrs | string>(e: BatchEntry<T>, keep: ReadonlySet<string>): BatchEntry<T> {
  if (typeof e.value === 'string') return e;
  const v = e.value as WithAttrs;
  return { ...e, value: { ...v, attrs: pick(v.attrs, keep) } as T };
}

/** Folds the sources' outcomes into the local result (see the module comment). */
function fold(result: BatchOutcome, failed: Map<string, SourceFailure>, written: Set<string>, onlyThere: readonly string[]): void {
  // an entity not held here that a source wrote is a success, not the local 404
  const proxied = result.errors.filter((e) => e.error.status === 404 && written.has(e.entityId) && !failed.has(e.entityId));
  for (const e of proxied) result.errors.splice(result.errors.indexOf(e), 1);
  // every entity done here or only there succeeds, unless a source failed it (and no local error says so already)
  const candidates = new Set([...result.success, ...proxied.map((e) => e.entityId), ...onlyThere]);
  const failedHere = new Set(result.errors.map((e) => e.entityId));
  result.success.length = 0;
  for (const id of candidates) {
    const why = failed.get(id);
    if (why === undefined) result.success.push(id);
    else if (!failedHere.has(id)) result.fail(id, problemOf(why));
  }
}
