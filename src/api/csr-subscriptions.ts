/**
 * The Context Source Registration Subscription API (ETSI GS CIM 009 V1.8.1 clause 5.11: create 5.11.2, update
 * 5.11.3, retrieve 5.11.4, query 5.11.5, delete 5.11.6; HTTP binding clauses 6.12 and 6.13).
 *
 * A registration subscription is the Subscription data type (clause 5.2.12) applied to registrations
 * (core/csr/subscription.ts says what differs); it is kept and rendered like an entity subscription, and its
 * notifications (clause 5.3.2) are queued with every registration write that concerns it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { registrationGeoProperties } from '../core/csr/model.js';
import { parseCsourceSubscription, parseCsourceSubscriptionPatch, type CsourceSubscription } from '../core/csr/subscription.js';
import { isUri } from '../core/entity/uri.js';
import { raise, unwrap } from '../core/problem.js';
import { renderSubscription } from '../core/subscription/render.js';
import type { StoredSubscription } from '../store/port.js';
import { sendPage, OFFERS } from './csr.js';
import { requestContext, requireTenant, type ApiDeps } from './deps.js';
import { bodyContext, readContext, withContext, type LdContext } from './ld.js';
import { negotiate, type MediaType } from './negotiate.js';
import { pageParams, queryOf } from './params.js';
import { checkPatchTarget } from './patch.js';
import { allowedEndpoint, deliveryOf, hasBodyContext, keptContext, merge, send, sysAttrsOf } from './subscriptions.js';

const S = '/ngsi-ld/v1/csourceSubscriptions';

interface IdParams {
  subscriptionId: string;
}

function idOf(req: FastifyRequest<{ Params: IdParams }>): string {
  const raw = req.params.subscriptionId;
  if (!isUri(raw)) raise('BadRequestData', `Subscription id ${JSON.stringify(raw.slice(0, 200))} is not a URI`);
  return raw;
}

/** geoQ of a registration subscription names a registration's GeoProperty (clause 5.2.9). */
function checkGeoQ(s: Pick<CsourceSubscription, 'geoQ'>): void {
  if (s.geoQ && !registrationGeoProperties.includes(s.geoQ.geoproperty)) {
    raise('BadRequestData', 'Subscription geoQ.geoproperty is not a GeoProperty of registrations: location, observationSpace or operationSpace');
  }
}

/** Clause 5.2.12 as for entity subscriptions, without the entity notification triggers, with temporalQ. */
function render(s: StoredSubscription, ld: LdContext, media: MediaType, now: string, sysAttrs: boolean): Record<string, unknown> {
  const sub = s.subscription as CsourceSubscription;
  const { notificationTrigger: _, ...out } = renderSubscription(sub, deliveryOf(s.status), ld.tm, now, { sysAttrs });
  if (sub.temporalQ) out.temporalQ = { ...sub.temporalQ };
  return withContext(media, ld, out);
}

export function csourceSubscriptionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const store = deps.store.registrations;

  // Implements 5.11.2 Create Context Source Registration Subscription.
  app.post(S, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const now = deps.now();
    const ld = await bodyContext(req, req.body, deps.contexts);
    const draft = unwrap(parseCsourceSubscription(req.body, ld.tm, now));
    checkGeoQ(draft);
    allowedEndpoint(deps, draft.notification.endpoint.uri);
    const sub: CsourceSubscription = { ...draft, id: draft.id ?? `urn:ngsi-ld:Subscription:${randomUUID()}`, context: await keptContext(req, ld, deps, now) };
    if (!(await store.createCsourceSubscription(rc.tenant, sub))) raise('AlreadyExists', `Subscription ${sub.id} already exists`);
    return reply.code(201).header('Location', `${S}/${encodeURIComponent(sub.id)}`).send();
  });

  // Implements 5.11.5 Query Context Source Registration Subscriptions.
  app.get(S, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['limit', 'offset', 'count', 'options']);
    const sysAttrs = sysAttrsOf(q.options);
    const page = pageParams(q, deps.config);
    const media = negotiate(req, OFFERS);
    const ld = await readContext(req, deps.contexts);
    await requireTenant(deps, rc);
    const result = await store.listCsourceSubscriptions(rc.tenant, { limit: page.limit === 0 ? 0 : page.limit + 1, offset: page.offset, count: page.count });
    const now = deps.now();
    return sendPage(req, reply, page, result, { media, ld, render: (s) => render(s, ld, 'application/json', now, sysAttrs) });
  });

  // Implements 5.11.4 Retrieve Context Source Registration Subscription.
  app.get<{ Params: IdParams }>(`${S}/:subscriptionId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const sysAttrs = sysAttrsOf(queryOf(req, ['options']).options);
    const id = idOf(req);
    const media = negotiate(req, OFFERS);
    const ld = await readContext(req, deps.contexts);
    await requireTenant(deps, rc);
    const stored = await store.getCsourceSubscription(rc.tenant, id);
    if (!stored) raise('ResourceNotFound', `Subscription ${id} does not exist`);
    return send(reply, media, ld, render(stored, ld, media, deps.now(), sysAttrs));
  });

  // Implements 5.11.3 Update Context Source Registration Subscription.
  app.patch<{ Params: IdParams }>(`${S}/:subscriptionId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const id = idOf(req);
    const now = deps.now();
    const ld = await bodyContext(req, req.body, deps.contexts);
    const patch = unwrap(parseCsourceSubscriptionPatch(req.body, ld.tm, now));
    checkPatchTarget('Subscription', id, patch, now);
    checkGeoQ(patch);
    await requireTenant(deps, rc);
    const context = hasBodyContext(req.body) ? await keptContext(req, ld, deps, now) : undefined;
    if (patch.notification !== undefined) allowedEndpoint(deps, patch.notification.endpoint.uri);
    const updated = await store.updateCsourceSubscription(rc.tenant, id, (s) => merge(s, patch, context));
    if (!updated) raise('ResourceNotFound', `Subscription ${id} does not exist`);
    return reply.code(204).send();
  });

  // Implements 5.11.6 Delete Context Source Registration Subscription.
  app.delete<{ Params: IdParams }>(`${S}/:subscriptionId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const id = idOf(req);
    await requireTenant(deps, rc);
    if (!(await store.deleteCsourceSubscription(rc.tenant, id))) raise('ResourceNotFound', `Subscription ${id} does not exist`);
    return reply.code(204).send();
  });
}
