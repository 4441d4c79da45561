/**
 * The attribute writes of one entity (clauses 5.6.2–5.6.5, 5.6.19), each also forwarded to the context sources
 * registered for the attributes it writes (clause 4.3.6.3, api/federated-write.ts): exclusive and redirect sources
 * take their attributes, inclusive ones share them with this broker, auxiliary ones never receive writes.
 */
import type { FastifyInstance } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import type { Attribute } from '../core/entity/model.js';
import { appendAttributes, deleteAttribute, partialAttributeUpdate, replaceAttribute, updateAttributes } from '../core/entity/ops.js';
import type { AttributeFragment } from '../core/entity/ops-instance.js';
import { isUri, parseAttributeValue, parseFragment } from '../core/entity/parse.js';
import { raise, unwrap } from '../core/problem.js';
import type { SourceRequest } from '../federation/source-client.js';
import { bodyFor } from '../federation/write.js';
import { modifyEntity, requestContext, type ApiDeps } from './deps.js';
import { attrOf, checkBodyId, E, forwardedParams, idOf, pick, typesOf, type AttrParams, type IdParams } from './entity-params.js';
import { runWrite, sendWriteOutcome } from './federated-write.js';
import { bodyContext, readContext } from './ld.js';
import { boolParam, deletionParams, queryOf, representationOf } from './params.js';

const attrsPath = (id: string) => `/entities/${encodeURIComponent(id)}/attrs`;
const attrPath = (id: string, name: string) => `${attrsPath(id)}/${encodeURIComponent(name)}`;

export function entityAttrRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.6.2 Update Entity Attributes (operation updateEntity in clause 4.20).
  // NGSI-LD Null deletes the instance it is given for (clause 5.5.8, partial update patch).
  app.patch<{ Params: IdParams }>(`${E}/:entityId/attrs`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['local', 'type']);
    const local = boolParam('local', q.local);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const now = deps.now();
    const fragment = unwrap(parseFragment(req.body, ld.tm, now, { allowNull: true }));
    checkBodyId(fragment.id, id);
    const update = (attrs: Record<string, Attribute[]>) =>
      modifyEntity(
        deps,
        rc,
        id,
        (e) => {
          const r = updateAttributes(e, attrs, now, { types: fragment.types, scope: fragment.scope });
          return { entity: r.entity, result: r };
        },
        typesOf(q.type, ld.tm),
      );
    const request = (a: readonly string[]): SourceRequest => ({ method: 'PATCH', path: attrsPath(id), body: bodyFor(req.body, a, ld.tm), accept: [204, 207] });
    const w = { id, attrs: Object.keys(fragment.attrs), operation: 'updateEntity' as const, local, request };
    const outcome = await runWrite(req, deps, rc, ld.tm, w, (keep) => update(pick(fragment.attrs, keep)));
    return sendWriteOutcome(reply, outcome, ld.tm, 204);
  });

  // Implements 5.6.3 Append Entity Attributes.
  app.post<{ Params: IdParams }>(`${E}/:entityId/attrs`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['options', 'local', 'type']);
    const rep = representationOf({ options: q.options }, ['noOverwrite']);
    const local = boolParam('local', q.local);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const now = deps.now();
    const fragment = unwrap(parseFragment(req.body, ld.tm, now, { allowNull: false }));
    checkBodyId(fragment.id, id);
    const noOverwrite = rep.options.has('noOverwrite');
    const append = (attrs: Record<string, Attribute[]>) =>
      modifyEntity(
        deps,
        rc,
        id,
        (e) => {
          const r = appendAttributes(e, attrs, { noOverwrite, now, types: fragment.types, scope: fragment.scope });
          return { entity: r.entity, result: r };
        },
        typesOf(q.type, ld.tm),
      );
    const params = forwardedParams(q);
    const request = (a: readonly string[]): SourceRequest => ({ method: 'POST', path: attrsPath(id), params, body: bodyFor(req.body, a, ld.tm), accept: [204, 207] });
    const w = { id, attrs: Object.keys(fragment.attrs), operation: 'appendAttrs' as const, local, request };
    const outcome = await runWrite(req, deps, rc, ld.tm, w, (keep) => append(pick(fragment.attrs, keep)));
    return sendWriteOutcome(reply, outcome, ld.tm, 204);
  });

  // Implements 5.6.4 Partial Attribute Update (operation updateAttrs).
  app.patch<{ Params: AttrParams }>(`${E}/:entityId/attrs/:attrId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['local', 'type']);
    const local = boolParam('local', q.local);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const iri = attrOf(req, ld.tm);
    const now = deps.now();
    const fragment = partialFragment(iri, stripContext(req.body), ld.tm, now);
    const request = (): SourceRequest => ({ method: 'PATCH', path: attrPath(id, req.params.attrId), params: forwardedParams(q), body: req.body, accept: [204] });
    const outcome = await runWrite(req, deps, rc, ld.tm, { id, attrs: [iri], operation: 'updateAttrs', local, request }, async () => {
      await modifyEntity(deps, rc, id, (e) => ({ entity: unwrap(partialAttributeUpdate(e, iri, fragment, now)), result: undefined }), typesOf(q.type, ld.tm));
      return { updated: [iri], notUpdated: [] };
    });
    return sendWriteOutcome(reply, outcome, ld.tm, 204);
  });

  // Implements 5.6.19 Replace Attribute.
  app.put<{ Params: AttrParams }>(`${E}/:entityId/attrs/:attrId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const local = boolParam('local', queryOf(req, ['local']).local);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const iri = attrOf(req, ld.tm);
    const now = deps.now();
    const instances = unwrap(parseAttributeValue(iri, stripContext(req.body), ld.tm, now, { allowNull: false }));
    const request = (): SourceRequest => ({ method: 'PUT', path: attrPath(id, req.params.attrId), body: req.body, accept: [204] });
    const outcome = await runWrite(req, deps, rc, ld.tm, { id, attrs: [iri], operation: 'replaceAttrs', local, request }, async () => {
      await modifyEntity(deps, rc, id, (e) => ({ entity: unwrap(replaceAttribute(e, iri, instances, now)), result: undefined }));
      return { updated: [iri], notUpdated: [] };
    });
    return sendWriteOutcome(reply, outcome, ld.tm, 204);
  });

  // Implements 5.6.5 Delete Entity Attribute (operation deleteAttrs).
  app.delete<{ Params: AttrParams }>(`${E}/:entityId/attrs/:attrId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['datasetId', 'deleteAll', 'local', 'lang', 'type']);
    const local = boolParam('local', q.local);
    const id = idOf(req);
    const ld = await readContext(req, deps.contexts);
    const iri = attrOf(req, ld.tm);
    const which = deletionParams(q, isUri);
    const now = deps.now();
    const request = (): SourceRequest => ({ method: 'DELETE', path: attrPath(id, req.params.attrId), params: forwardedParams(q), accept: [204] });
    const outcome = await runWrite(req, deps, rc, ld.tm, { id, attrs: [iri], operation: 'deleteAttrs', local, request }, async () => {
      await modifyEntity(deps, rc, id, (e) => ({ entity: unwrap(deleteAttribute(e, iri, { ...which, now })), result: undefined }), typesOf(q.type, ld.tm));
      return { updated: [iri], notUpdated: [] };
    });
    return sendWriteOutcome(reply, outcome, ld.tm, 204);
  });
}

const VALUE_MEMBERS = ['value', 'object', 'languageMap', 'vocab', 'json', 'valueList', 'objectList'];

/**
 * The body of a partial attribute update (5.6.4) may carry only some members (say, a new unitCode or
 * sub-attribute). It is parsed as an attribute, and the attribute type is left unset unless the client gave
 * one or it follows from the member given, so that the stored attribute keeps its type.
 */
function partialFragment(iri: string, body: unknown, tm: TermMap, now: string): AttributeFragment {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) raise('BadRequestData', 'A partial attribute update body must be a JSON object');
  const b = body as Record<string, unknown>;
  const hasType = 'type' in b;
  const hasValue = VALUE_MEMBERS.some((k) => k in b);
  const input = hasType || hasValue ? b : { ...b, value: 0 };
  const instances = unwrap(parseAttributeValue(iri, input, tm, now, { allowNull: true }));
  if (instances.length !== 1) raise('BadRequestData', 'Partial attribute update takes one attribute instance');
  const fragment: AttributeFragment = { ...instances[0] };
  if (!hasType && !hasValue) delete fragment.value;
  if (!hasType && (!hasValue || 'value' in b)) delete fragment.type;
  return fragment;
}

/** The body of an attribute operation is the attribute itself; its @context was already taken. */
function stripContext(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('@context' in body)) return body;
  const { ['@context']: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}
