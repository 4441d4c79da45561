/**
 * The Context Source Registration API (ETSI GS CIM 009 V1.8.1 clauses 5.9 and 5.10; HTTP binding clauses 6.8 and 6.9):
 * register (5.9.2), update (5.9.3), delete (5.9.4), retrieve (5.10.1) and discover (5.10.2).
 *
 * Registrations are kept with every name expanded (core/csr/model.ts) and rendered with the context of the
 * request that reads them, like entities and subscriptions. Discovery selects in SQL (store/registrations).
 * Parameters of 5.10.2 not supported: `lang` and `geometryProperty` (registrations have no LanguageProperty, and
 * no GeoJSON representation is offered) are a 422.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import { registrationGeoProperties, type ContextSourceRegistration, type RegistrationPatch } from '../core/csr/model.js';
import { checkRegistration, parseRegistration, parseRegistrationPatch } from '../core/csr/parse.js';
import { renderRegistration } from '../core/csr/render.js';
import { parseTimeQuery } from '../core/csr/time.js';
import { isUri } from '../core/entity/uri.js';
import { raise, unwrap } from '../core/problem.js';
import { parseCsf } from '../core/query/csf.js';
import { parseQuery } from '../core/query/q.js';
import type { RegistrationSelection } from '../store/port.js';
import { requestContext, requireTenant, type ApiDeps } from './deps.js';
import { bodyContext, readContext, withContext, type LdContext } from './ld.js';
import { negotiate, type MediaType } from './negotiate.js';
import { pageLinks, pageParams, queryOf } from './params.js';
import { checkPatchTarget } from './patch.js';
import { selectionOfParams } from './selection.js';
import { allowedEndpoint, send, sysAttrsOf } from './subscriptions.js';

const R = '/ngsi-ld/v1/csourceRegistrations';
export const OFFERS: readonly MediaType[] = ['application/json', 'application/ld+json'];
const DISCOVERY_PARAMS = ['type', 'id', 'idPattern', 'attrs', 'q', 'csf', 'georel', 'geometry', 'coordinates', 'geoproperty', 'scopeQ'];
const TIME_PARAMS = ['timerel', 'timeAt', 'endTimeAt', 'timeproperty'];
const PAGE_PARAMS = ['limit', 'offset', 'count', 'options'];

interface IdParams {
  registrationId: string;
}

function idOf(req: FastifyRequest<{ Params: IdParams }>): string {
  const raw = req.params.registrationId;
  if (!isUri(raw)) raise('BadRequestData', `ContextSourceRegistration id ${JSON.stringify(raw.slice(0, 200))} is not a URI`);
  return raw;
}

/** A page answer (clause 5.5.9): NGSILD-Results-Count when counted, Link rel=prev/next, the items rendered. */
export function sendPage<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  page: { limit: number; offset: number },
  result: { items: T[]; count?: number },
  out: { media: MediaType; ld: LdContext; render: (item: T) => Record<string, unknown> },
): FastifyReply {
  // the store was asked for one item more than the page: it tells whether a next page exists without counting
  const more = result.items.length > page.limit;
  const items = more ? result.items.slice(0, page.limit) : result.items;
  if (result.count !== undefined) reply.header('NGSILD-Results-Count', String(result.count));
  const links = pageLinks(req, page.offset, page.limit, more);
  if (links.length) reply.header('Link', links.join(', '));
  return send(reply, out.media, out.ld, items.map((i) => withContext(out.media, out.ld, out.render(i))));
}

/** Clause 5.10.2 parameters → a registration selection; `q` and `csf` apply to the registrations' members. */
function selectionOf(q: Record<string, string | undefined>, tm: TermMap): RegistrationSelection {
  const { type, id, idPattern, attrs, scopeQ, georel, geometry, coordinates, geoproperty } = q;
  const entity = selectionOfParams({ type, id, idPattern, attrs, scopeQ, georel, geometry, coordinates, geoproperty }, tm);
  const sel: RegistrationSelection = { ...entity };
  if (q.q !== undefined) sel.q = unwrap(parseQuery(q.q, tm, {}, { label: 'q', links: false }));
  if (q.csf !== undefined) sel.csf = unwrap(parseCsf(q.csf, tm));
  if (sel.geo && !registrationGeoProperties.includes(sel.geo.geoproperty)) {
    raise('BadRequestData', `geoproperty ${JSON.stringify(geoproperty)} is not a GeoProperty of registrations: location, observationSpace or operationSpace`);
  }
  const time = unwrap(parseTimeQuery({ timerel: q.timerel, timeAt: q.timeAt, endTimeAt: q.endTimeAt, timeproperty: q.timeproperty }));
  if (time) sel.time = time;
  return sel;
}

/** Clause 5.9.3: the fragment's members replace the stored ones (its Properties are merged); the rules re-run. */
function merge(r: ContextSourceRegistration, patch: RegistrationPatch): ContextSourceRegistration {
  const properties = patch.properties ? { ...r.properties, ...patch.properties } : r.properties;
  const merged: ContextSourceRegistration = { ...r, ...patch, id: r.id, type: 'ContextSourceRegistration', createdAt: r.createdAt, context: r.context };
  if (properties) merged.properties = properties;
  unwrap(checkRegistration(merged));
  return merged;
}

const SOURCE_ENDPOINT = 'ContextSourceRegistration endpoint';

export function registrationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const store = deps.store.registrations;

  // Implements 5.9.2 Register Context Source.
  app.post(R, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const now = deps.now();
    const ld = await bodyContext(req, req.body, deps.contexts);
    const draft = unwrap(parseRegistration(req.body, ld.tm, now));
    const reg: ContextSourceRegistration = { ...draft, id: draft.id ?? `urn:ngsi-ld:ContextSourceRegistration:${randomUUID()}` };
    // MIMOSA_NOTIFICATION_DENY guards distributed operations too
    allowedEndpoint(deps, reg.endpoint, SOURCE_ENDPOINT);
    // Registering creates the tenant, like creating an entity (clause 6.3.14).
    unwrap(await store.createRegistration(rc.tenant, reg));
    deps.federation.presence.registered(rc.tenant);
    return reply.code(201).header('Location', `${R}/${encodeURIComponent(reg.id)}`).send();
  });

  // Implements 5.10.2 Query Context Source Registrations (discovery).
  app.get(R, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, [...DISCOVERY_PARAMS, ...TIME_PARAMS, ...PAGE_PARAMS], ['lang', 'geometryProperty']);
    const sysAttrs = sysAttrsOf(q.options);
    const page = pageParams(q, deps.config);
    const media = negotiate(req, OFFERS);
    const ld = await readContext(req, deps.contexts);
    const sel = selectionOf(q, ld.tm);
    await requireTenant(deps, rc);
    const result = await store.queryRegistrations(rc.tenant, { ...sel, limit: page.limit === 0 ? 0 : page.limit + 1, offset: page.offset, count: page.count });
    return sendPage(req, reply, page, result, { media, ld, render: (s) => renderRegistration(s.registration, s.status, ld.tm, { sysAttrs }) });
  });

  // Implements 5.10.1 Retrieve Context Source Registration.
  app.get<{ Params: IdParams }>(`${R}/:registrationId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const sysAttrs = sysAttrsOf(queryOf(req, ['options']).options);
    const id = idOf(req);
    const media = negotiate(req, OFFERS);
    const ld = await readContext(req, deps.contexts);
    await requireTenant(deps, rc);
    const stored = await store.getRegistration(rc.tenant, id);
    if (!stored) raise('ResourceNotFound', `ContextSourceRegistration ${id} does not exist`);
    return send(reply, media, ld, withContext(media, ld, renderRegistration(stored.registration, stored.status, ld.tm, { sysAttrs })));
  });

  // Implements 5.9.3 Update Context Source Registration.
  app.patch<{ Params: IdParams }>(`${R}/:registrationId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const id = idOf(req);
    const now = deps.now();
    const ld = await bodyContext(req, req.body, deps.contexts);
    const patch = unwrap(parseRegistrationPatch(req.body, ld.tm, now));
    if (patch.endpoint !== undefined) allowedEndpoint(deps, patch.endpoint, SOURCE_ENDPOINT);
    checkPatchTarget('ContextSourceRegistration', id, patch, now);
    await requireTenant(deps, rc);
    const updated = await store.updateRegistration(rc.tenant, id, (r) => merge(r, patch));
    if (!updated) raise('ResourceNotFound', `ContextSourceRegistration ${id} does not exist`);
    unwrap(updated);
    return reply.code(204).send();
  });

  // Implements 5.9.4 Delete Context Source Registration.
  app.delete<{ Params: IdParams }>(`${R}/:registrationId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const id = idOf(req);
    await requireTenant(deps, rc);
    if (!(await store.deleteRegistration(rc.tenant, id))) raise('ResourceNotFound', `ContextSourceRegistration ${id} does not exist`);
    return reply.code(204).send();
  });
}
