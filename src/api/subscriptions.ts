/**
 * The Subscription API (ETSI GS CIM 009 V1.8.1 clause 5.8; HTTP binding clauses 6.10 and 6.11).
 *
 * Subscriptions are kept with every name expanded and every query parsed (core/subscription/model.ts), together
 * with the @context they were made with, so that notifications can name it in a Link header. They are rendered
 * back with the context of the request that reads them, like entities.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUri } from '../core/entity/uri.js';
import { raise, unwrap } from '../core/problem.js';
import type { Subscription, SubscriptionPatch } from '../core/subscription/model.js';
import { checkSubscription, parseSubscription, parseSubscriptionPatch } from '../core/subscription/parse.js';
import { renderSubscription, type DeliveryStatus } from '../core/subscription/render.js';
import type { StoredSubscription, SubscriptionStatus } from '../store/port.js';
import { requestContext, requireTenant, type ApiDeps } from './deps.js';
import { bodyContext, contextHeaders, linkable, readContext, withContext, type LdContext } from './ld.js';
import { negotiate, type MediaType } from './negotiate.js';
import { boolParam, intParam, listParam, pageLinks, queryOf } from './params.js';
import { checkPatchTarget } from './patch.js';

const S = '/ngsi-ld/v1/subscriptions';
const OFFERS: readonly MediaType[] = ['application/json', 'application/ld+json'];

interface IdParams {
  subscriptionId: string;
}

function idOf(req: FastifyRequest<{ Params: IdParams }>): string {
  const raw = req.params.subscriptionId;
  if (!isUri(raw)) raise('BadRequestData', `Subscription id ${JSON.stringify(raw.slice(0, 200))} is not a URI`);
  return raw;
}

function subscriptionLocation(id: string): string {
  return `${S}/${encodeURIComponent(id)}`;
}

/** `options` of a subscription read: only sysAttrs (clause 6.3.11) applies to a subscription. */
export function sysAttrsOf(raw: string | undefined): boolean {
  const options = listParam('options', raw) ?? [];
  const other = options.find((o) => o !== 'sysAttrs');
  if (other !== undefined) raise('BadRequestData', `Option ${JSON.stringify(other.slice(0, 50))} is not known for subscriptions; known: sysAttrs`);
  return options.length > 0;
}

/** The store's bookkeeping as the render input of clause 5.2.14. */
export function deliveryOf(s: SubscriptionStatus): DeliveryStatus {
  return {
    timesSent: s.timesSent,
    timesFailed: s.timesFailed,
    lastNotification: s.lastNotification,
    lastSuccess: s.lastSuccess,
    lastFailure: s.lastFailure,
    status: s.notificationStatus,
  };
}

/**
 * The @context a subscription keeps, for notifications to name in a Link header: URLs as given; an inline
 * context (objects) is hosted as an ImplicitlyCreated context (clause 5.13) and kept by its URL.
 */
export async function keptContext(req: FastifyRequest, ld: LdContext, deps: ApiDeps, now: string): Promise<unknown[]> {
  const entries = ld.tm.userContext;
  if (entries.every((e) => typeof e === 'string')) return [...entries];
  const hosted = await linkable(req, ld, deps.contexts, now);
  return hosted.linkUrl === undefined ? [...entries] : [hosted.linkUrl];
}

/** Whether the request body carries its own @context (application/ld+json). */
export function hasBodyContext(body: unknown): boolean {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && '@context' in body;
}

/** Clause 5.8.2: the fragment's members replace the stored ones (notification as a whole); the rules re-run. */
/**
 * MIMOSA_NOTIFICATION_DENY (notify/endpoint-policy.ts): a denied receiver, or context source (`what` names the
 * member), is a 400 before anything is stored.
 */
export function allowedEndpoint(deps: ApiDeps, uri: string, what = 'Subscription notification.endpoint.uri'): void {
  const why = deps.endpointPolicy.deniedUri(uri);
  if (why !== undefined) raise('BadRequestData', `${what} ${uri.slice(0, 200)} is not allowed: ${why}`);
}

export function merge(s: Subscription, patch: SubscriptionPatch, context: unknown[] | undefined): Subscription {
  const merged: Subscription = { ...s, ...patch, id: s.id, type: 'Subscription', createdAt: s.createdAt, context: context ?? s.context };
  unwrap(checkSubscription(merged));
  return merged;
}

export function send(reply: FastifyReply, media: MediaType, ld: LdContext, doc: unknown): FastifyReply {
  contextHeaders(reply, media, ld);
  return reply.send(doc);
}

export function subscriptionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const render = (s: StoredSubscription, ld: LdContext, media: MediaType, sysAttrs: boolean) =>
    withContext(media, ld, renderSubscription(s.subscription, deliveryOf(s.status), ld.tm, deps.now(), { sysAttrs }));

  // Implements 5.8.1 Create Subscription.
  app.post(S, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const now = deps.now();
    const ld = await bodyContext(req, req.body, deps.contexts);
    const draft = unwrap(parseSubscription(req.body, ld.tm, now));
    allowedEndpoint(deps, draft.notification.endpoint.uri);
    const sub: Subscription = { ...draft, id: draft.id ?? `urn:ngsi-ld:Subscription:${randomUUID()}`, context: await keptContext(req, ld, deps, now) };
    // Creating a subscription creates its tenant, like creating an entity (clause 6.3.14).
    if (!(await deps.store.createSubscription(rc.tenant, sub))) {
      raise('AlreadyExists', `Subscription ${sub.id} already exists`);
    }
    return reply.code(201).header('Location', subscriptionLocation(sub.id)).send();
  });

  // Implements 5.8.4 Query Subscriptions.
  app.get(S, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['limit', 'offset', 'count', 'options']);
    const sysAttrs = sysAttrsOf(q.options);
    const count = boolParam('count', q.count);
    const limit = intParam('limit', q.limit, 0, deps.config.maxLimit) ?? deps.config.defaultLimit;
    const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0;
    if (limit === 0 && !count) raise('BadRequestData', 'limit=0 is only allowed together with count=true');
    const media = negotiate(req, OFFERS);
    const ld = await readContext(req, deps.contexts);
    await requireTenant(deps, rc);
    // One row more than the page tells whether a next page exists without counting.
    const result = await deps.store.listSubscriptions(rc.tenant, { limit: limit === 0 ? 0 : limit + 1, offset, count });
    const more = result.items.length > limit;
    const page = more ? result.items.slice(0, limit) : result.items;
    if (result.count !== undefined) reply.header('NGSILD-Results-Count', String(result.count));
    const links = pageLinks(req, offset, limit, more);
    if (links.length) reply.header('Link', links.join(', '));
    return send(reply, media, ld, page.map((s) => render(s, ld, media, sysAttrs)));
  });

  // Implements 5.8.3 Retrieve Subscription.
  app.get<{ Params: IdParams }>(`${S}/:subscriptionId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['options']);
    const sysAttrs = sysAttrsOf(q.options);
    const id = idOf(req);
    const media = negotiate(req, OFFERS);
    const ld = await readContext(req, deps.contexts);
    await requireTenant(deps, rc);
    const stored = await deps.store.getSubscription(rc.tenant, id);
    if (!stored) raise('ResourceNotFound', `Subscription ${id} does not exist`);
    return send(reply, media, ld, render(stored, ld, media, sysAttrs));
  });

  // Implements 5.8.2 Update Subscription.
  app.patch<{ Params: IdParams }>(`${S}/:subscriptionId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const id = idOf(req);
    const now = deps.now();
    const ld = await bodyContext(req, req.body, deps.contexts);
    const patch = unwrap(parseSubscriptionPatch(req.body, ld.tm, now));
    checkPatchTarget('Subscription', id, patch, now);
    await requireTenant(deps, rc);
    // A fragment with its own @context (application/ld+json) brings the context later notifications use.
    const context = hasBodyContext(req.body) ? await keptContext(req, ld, deps, now) : undefined;
    if (patch.notification !== undefined) allowedEndpoint(deps, patch.notification.endpoint.uri);
    const updated = await deps.store.updateSubscription(rc.tenant, id, (s) => merge(s, patch, context));
    if (!updated) raise('ResourceNotFound', `Subscription ${id} does not exist`);
    return reply.code(204).send();
  });

  // Implements 5.8.5 Delete Subscription.
  app.delete<{ Params: IdParams }>(`${S}/:subscriptionId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const id = idOf(req);
    await requireTenant(deps, rc);
    if (!(await deps.store.deleteSubscription(rc.tenant, id))) raise('ResourceNotFound', `Subscription ${id} does not exist`);
    return reply.code(204).send();
  });
}
