import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isValidAttributeName } from '../core/entity/parse.js';
import { raise } from '../core/problem.js';
import type { RequestContext } from '../core/request.js';
import { requestContext, requireTenant, type ApiDeps } from './deps.js';
import { contextHeaders, readContext, withContext, type LdContext } from './ld.js';
import { negotiate, type MediaType } from './negotiate.js';
import { boolParam, queryOf } from './params.js';

/**
 * Discovery of the types and attributes entities have (clauses 5.7.5–5.7.10). Names are compacted with the
 * request's @context (full IRIs where it has no term); the store answers from its vocabulary index.
 */

const TYPES = '/ngsi-ld/v1/types';
const ATTRIBUTES = '/ngsi-ld/v1/attributes';
/** `local` is accepted: without registrations (issue #6) every answer is local anyway. */
const LIST_PARAMS = ['details', 'local'];
const INFO_PARAMS = ['local'];

interface Asked {
  rc: RequestContext;
  q: Record<string, string | undefined>;
  media: MediaType;
  ld: LdContext;
}

/** Checks parameters, Accept, @context and tenant, in that order, as the other read operations do. */
async function ask(req: FastifyRequest, reply: FastifyReply, deps: ApiDeps, allowed: readonly string[]): Promise<Asked> {
  const rc = requestContext(req, reply);
  const q = queryOf(req, allowed);
  boolParam('local', q.local);
  const media = negotiate(req, ['application/json', 'application/ld+json']);
  const ld = await readContext(req, deps.contexts);
  await requireTenant(deps, rc);
  return { rc, q, media, ld };
}

/** An object, or each element of an array, carries @context for application/ld+json (clause 6.3.6). */
function answer(reply: FastifyReply, a: Asked, body: Record<string, unknown> | Array<Record<string, unknown>>): FastifyReply {
  contextHeaders(reply, a.media, a.ld);
  return reply.send(Array.isArray(body) ? body.map((b) => withContext(a.media, a.ld, b)) : withContext(a.media, a.ld, body));
}

/** The {type} or {attrId} path segment, expanded. */
function nameOf(raw: string, what: string, a: Asked): string {
  if (!isValidAttributeName(raw)) raise('BadRequestData', `${what} ${JSON.stringify(raw.slice(0, 200))} is not a valid name`);
  return a.ld.tm.expand(raw);
}

export function discoveryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.7.5 Retrieve Available Entity Types, and 5.7.6 Retrieve Details of Available Entity Types (details=true).
  app.get(TYPES, async (req, reply) => {
    const a = await ask(req, reply, deps, LIST_PARAMS);
    const c = (iri: string) => a.ld.tm.compact(iri);
    if (!boolParam('details', a.q.details)) {
      const types = await deps.store.listEntityTypes(a.rc.tenant);
      return answer(reply, a, { id: `urn:ngsi-ld:EntityTypeList:${randomUUID()}`, type: 'EntityTypeList', typeList: types.map(c) });
    }
    const details = await deps.store.listEntityTypeDetails(a.rc.tenant);
    return answer(
      reply,
      a,
      details.map((t) => ({ id: t.type, type: 'EntityType', typeName: c(t.type), attributeNames: t.attributeNames.map(c) })),
    );
  });

  // Implements 5.7.7 Retrieve Available Entity Type Information.
  app.get<{ Params: { type: string } }>(`${TYPES}/:type`, async (req, reply) => {
    const a = await ask(req, reply, deps, INFO_PARAMS);
    const c = (iri: string) => a.ld.tm.compact(iri);
    const type = nameOf(req.params.type, 'Entity type', a);
    const info = await deps.store.getEntityTypeInfo(a.rc.tenant, type);
    if (!info) raise('ResourceNotFound', `Entity type ${type} does not exist`);
    return answer(reply, a, {
      id: info.type,
      type: 'EntityTypeInfo',
      typeName: c(info.type),
      entityCount: info.entityCount,
      attributeDetails: info.attributeDetails.map((d) => ({
        id: d.attribute,
        type: 'Attribute',
        attributeName: c(d.attribute),
        attributeTypes: d.attributeTypes,
      })),
    });
  });

  // Implements 5.7.8 Retrieve Available Attributes, and 5.7.9 Retrieve Details of Available Attributes (details=true).
  app.get(ATTRIBUTES, async (req, reply) => {
    const a = await ask(req, reply, deps, LIST_PARAMS);
    const c = (iri: string) => a.ld.tm.compact(iri);
    if (!boolParam('details', a.q.details)) {
      const attrs = await deps.store.listAttributes(a.rc.tenant);
      return answer(reply, a, { id: `urn:ngsi-ld:AttributeList:${randomUUID()}`, type: 'AttributeList', attributeList: attrs.map(c) });
    }
    const details = await deps.store.listAttributeDetails(a.rc.tenant);
    return answer(
      reply,
      a,
      details.map((d) => ({ id: d.attribute, type: 'Attribute', attributeName: c(d.attribute), typeNames: d.typeNames.map(c) })),
    );
  });

  // Implements 5.7.10 Retrieve Available Attribute Information.
  app.get<{ Params: { attrId: string } }>(`${ATTRIBUTES}/:attrId`, async (req, reply) => {
    const a = await ask(req, reply, deps, INFO_PARAMS);
    const c = (iri: string) => a.ld.tm.compact(iri);
    const attribute = nameOf(req.params.attrId, 'Attribute', a);
    const info = await deps.store.getAttributeInfo(a.rc.tenant, attribute);
    if (!info) raise('ResourceNotFound', `Attribute ${attribute} does not exist`);
    return answer(reply, a, {
      id: info.attribute,
      type: 'Attribute',
      attributeName: c(info.attribute),
      attributeCount: info.attributeCount,
      attributeTypes: info.attributeTypes,
      typeNames: info.typeNames.map(c),
    });
  });
}
