/**
 * The API side of distributed writes of one entity (clause 4.3.6.3): which registered sources a write concerns and
 * how their outcomes join the local one (src/federation/write.ts). Every single-entity write goes through here:
 * 5.6.1 Create, 5.6.2 Update Attributes, 5.6.3 Append Attributes, 5.6.4 Partial Attribute Update, 5.6.5 Delete
 * Attribute, 5.6.6 Delete Entity, 5.6.17 Merge, 5.6.18 Replace Entity and 5.6.19 Replace Attribute.
 *
 * Outcomes (clause 4.3.6.3): when every party did its part the answer is the operation's own success; when some
 * parts failed it is 207 with `updated` and `notUpdated` (each failure with its party's reason); when nothing at all
 * succeeded and the local part failed, the local error is the answer (say, 404 or 409).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import type { Operation } from '../core/csr/operations.js';
import type { AttrOutcome } from '../core/entity/ops.js';
import { ProblemError } from '../core/problem.js';
import type { RequestContext } from '../core/request.js';
import { forwardingOf, matchingSources, record, type Federation } from '../federation/distribute.js';
import { askSource, type SourceRequest } from '../federation/source-client.js';
import { combineOutcomes, planWrite, writeAtSources, type WritePlan } from '../federation/write.js';
import type { ApiDeps } from './deps.js';
import { forwardable, header } from './federated.js';

/** A write of one entity, as discovery sees it. */
export interface EntityWrite {
  id: string;
  /** Expanded names of the attributes written. */
  attrs: readonly string[];
  operation: Operation;
  local: boolean | undefined;
  /** The types the request gives the entity (create, replace); otherwise those of the entity held here. */
  types?: readonly string[];
}

/** The sources a write goes to; undefined when it stays local. */
async function writePlan(req: FastifyRequest, deps: ApiDeps, rc: RequestContext, w: EntityWrite): Promise<WritePlan | undefined> {
  if (!forwardable(req, deps, w.local) || w.attrs.length === 0 || !deps.federation.presence.mayHave(rc.tenant)) return undefined;
  // the entity's types narrow the registrations that name types only; unknown here, any type may match
  const types = w.types ?? (await deps.store.getEntity(rc.tenant, w.id))?.types;
  const matches = await matchingSources(deps.federation, rc.tenant, { kind: 'entity', id: w.id, types, attrs: [...w.attrs] }, w.operation);
  const plan = planWrite(matches, w.attrs);
  return plan.sources.length > 0 ? plan : undefined;
}

/** What the local part of a distributed write does, given the attributes that stay here. */
export type LocalWrite = (localAttrs: Set<string>) => Promise<AttrOutcome>;

const ALL_DONE: AttrOutcome = { updated: [], notUpdated: [] };

/**
 * Runs the local part and the sources' parts in parallel. The local part runs when some attributes stay here, or
 * (`entityLevel`: replace, which also drops the attributes it does not name) whenever the entity is held here.
 */
async function distributedWrite(
  req: FastifyRequest,
  deps: ApiDeps,
  rc: RequestContext,
  tm: TermMap,
  w: { attrs: readonly string[]; plan: WritePlan; entityLevel?: boolean },
  request: (attrs: readonly string[]) => SourceRequest,
  updateLocal: LocalWrite,
): Promise<AttrOutcome> {
  const localAttrs = new Set(w.attrs.filter((a) => !w.plan.proxied.has(a)));
  const sent = new Set(w.plan.sources.flatMap((s) => s.attrs));
  const forwarding = { tenant: rc.tenant, link: header(req, 'link'), via: header(req, 'via') };
  let localProblem: ProblemError | undefined;
  const local = async (): Promise<AttrOutcome> => {
    if (localAttrs.size === 0 && !w.entityLevel) return ALL_DONE;
    try {
      return await updateLocal(localAttrs);
    } catch (e) {
      if (!(e instanceof ProblemError) || (e.problem.kind !== 'ResourceNotFound' && e.problem.kind !== 'AlreadyExists')) throw e;
      localProblem = e;
      // an entity not held here is no failure for the attributes a source took as well (an inclusive one)
      const failed = e.problem.kind === 'ResourceNotFound' ? [...localAttrs].filter((a) => !sent.has(a)) : [...localAttrs];
      return { updated: [], notUpdated: failed.map((a) => ({ attributeName: a, reason: e.problem.detail })) };
    }
  };
  const [here, there] = await Promise.all([local(), writeAtSources(deps.federation, forwarding, tm, w.plan, request)]);
  const outcome = combineOutcomes([here, ...there]);
  if (localProblem && outcome.updated.length === 0 && (sent.size === 0 || localProblem.problem.kind === 'AlreadyExists')) throw localProblem;
  return outcome;
}

/**
 * A write of one entity, here and at the registered sources it concerns: `request` builds what a source receives
 * for its attributes, `updateLocal` writes the attributes that stay here (all of them when no source is concerned).
 */
export async function runWrite(
  req: FastifyRequest,
  deps: ApiDeps,
  rc: RequestContext,
  tm: TermMap,
  w: EntityWrite & { entityLevel?: boolean; request: (attrs: readonly string[]) => SourceRequest },
  updateLocal: LocalWrite,
): Promise<AttrOutcome> {
  const plan = await writePlan(req, deps, rc, w);
  if (!plan) return updateLocal(new Set(w.attrs));
  return distributedWrite(req, deps, rc, tm, { attrs: w.attrs, plan, entityLevel: w.entityLevel }, w.request, updateLocal);
}

/** `success` (201, 204) when every part succeeded, else 207 with UpdateResult (clause 5.2.18). */
export function sendWriteOutcome(reply: FastifyReply, o: AttrOutcome, tm: TermMap, success: 201 | 204): FastifyReply {
  if (o.notUpdated.length === 0) return reply.code(success).send();
  return reply
    .code(207)
    .type('application/json')
    .send({
      updated: o.updated.map((iri) => tm.compact(iri)),
      notUpdated: o.notUpdated.map((n) => ({ attributeName: tm.compact(n.attributeName), reason: n.reason })),
    });
}

/**
 * 5.6.6 Delete Entity at the registered sources (clause 4.3.6.3): every non-auxiliary registration of the entity
 * whose operations include deleteEntity is asked to delete it. Resolves to whether any source deleted it and which
 * sources failed (a 404 is no failure: that source does not hold it).
 */
export async function deleteAtSources(
  req: FastifyRequest,
  deps: ApiDeps,
  rc: RequestContext,
  w: { id: string; types?: readonly string[]; local: boolean | undefined },
): Promise<{ deleted: boolean; failures: Array<{ registration: string; detail: string }> }> {
  const fed: Federation = deps.federation;
  if (!forwardable(req, deps, w.local) || !fed.presence.mayHave(rc.tenant)) return { deleted: false, failures: [] };
  // the entity's types narrow the registrations that name types only (read before the local part deletes it)
  const types = w.types ?? (await deps.store.getEntity(rc.tenant, w.id))?.types;
  const matches = (await matchingSources(fed, rc.tenant, { kind: 'entity', id: w.id, types }, 'deleteEntity')).filter(
    (m) => m.registration.mode !== 'auxiliary',
  );
  const forwarding = forwardingOf(fed, { tenant: rc.tenant, link: header(req, 'link'), via: header(req, 'via') });
  const path = `/entities/${encodeURIComponent(w.id)}`;
  const answers = await Promise.all(
    matches.map(async (m) => {
      const answer = await askSource(m.registration, forwarding, { method: 'DELETE', path, accept: [204, 404] });
      await record(fed, rc.tenant, m.registration.id, answer.ok);
      return { registration: m.registration.id, answer };
    }),
  );
  return {
    deleted: answers.some((a) => a.answer.ok && a.answer.status === 204),
    failures: answers.flatMap((a) => (a.answer.ok ? [] : [{ registration: a.registration, detail: a.answer.detail }])),
  };
}
