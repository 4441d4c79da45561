/**
 * The Smart Data Models API (OASC MIM2: common data models), a Mimosa extension outside the NGSI-LD base path:
 *
 *   GET    /mimosa/v1/models                        the models known (MIMOSA_MODELS_DIR and the API)
 *   POST   /mimosa/v1/models                        adds a model: {schema, type?, context?, documents?}
 *   GET    /mimosa/v1/models/{type}                 a model: attributes, their NGSI-LD and JSON types, units, required…
 *   DELETE /mimosa/v1/models/{type}                 removes a model added through the API
 *   GET    /mimosa/v1/models/{type}/validation      the tenant's validation mode for the model
 *   PUT    /mimosa/v1/models/{type}/validation      sets it: {"mode": "off" | "warn" | "enforce"}
 *   POST   /mimosa/v1/validate                      validates an entity without storing it (dry run)
 *   GET    /mimosa/v1/warnings                      what warn mode recorded (type, id, limit, offset, count)
 *
 * `{type}` is the model's type name (ParkingSpot) or its type IRI, URL-encoded. The tenant is NGSILD-Tenant's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseEntity } from '../core/entity/parse.js';
import { raise, unwrap } from '../core/problem.js';
import type { ValidationMode } from '../store/port.js';
import { requestContext, requireTenant, type ApiDeps } from './deps.js';
import { bodyContext } from './ld.js';
import { negotiate } from './negotiate.js';
import { boolParam, intParam, queryOf } from './params.js';

const M = '/mimosa/v1/models';
/** Largest body adding a model: a schema and the documents it names (the common Smart Data Models schemas are ~100 kB). */
const MODEL_BODY_LIMIT = 4 * 1024 * 1024;
const MODES: readonly ValidationMode[] = ['off', 'warn', 'enforce'];

interface TypeParams {
  type: string;
}

function modeOf(body: unknown): ValidationMode {
  const b = body as Record<string, unknown> | null;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) raise('BadRequestData', 'The body must be a JSON object {"mode": "off" | "warn" | "enforce"}');
  const extra = Object.keys(b).find((k) => k !== 'mode');
  if (extra !== undefined) raise('BadRequestData', `Member ${JSON.stringify(extra.slice(0, 100))} is not known; the body is {"mode": …}`);
  if (!MODES.includes(b.mode as ValidationMode)) raise('BadRequestData', `mode must be one of ${MODES.join(', ')}`);
  return b.mode as ValidationMode;
}

function json(req: FastifyRequest): void {
  negotiate(req, ['application/json']);
}

export function modelRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const models = deps.models;

  // Implements OASC MIM2: the Smart Data Models this broker knows, with the tenant's validation mode of each.
  app.get(M, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    json(req);
    return reply.type('application/json').send(models.list(rc.tenant));
  });

  // Implements OASC MIM2: adds a model (persisted); 201 with its Location.
  app.post(M, { bodyLimit: Math.min(MODEL_BODY_LIMIT, deps.config.bodyLimit) }, async (req, reply) => {
    queryOf(req, []);
    const entry = unwrap(await models.add(req.body));
    return reply.code(201).header('Location', `${M}/${encodeURIComponent(entry.name)}`).send();
  });

  // Implements OASC MIM2: one model described.
  app.get<{ Params: TypeParams }>(`${M}/:type`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    json(req);
    return reply.type('application/json').send(unwrap(await models.show(req.params.type, rc.tenant)));
  });

  // Implements OASC MIM2: removes a model added through the API.
  app.delete<{ Params: TypeParams }>(`${M}/:type`, async (req, reply) => {
    queryOf(req, []);
    unwrap(await models.remove(req.params.type));
    return reply.code(204).send();
  });

  // Implements OASC MIM2: the tenant's validation mode for a model.
  app.get<{ Params: TypeParams }>(`${M}/:type/validation`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    json(req);
    const e = unwrap(models.find(req.params.type));
    return reply.type('application/json').send({ type: e.name, typeIri: e.typeIri, mode: models.modeOf(rc.tenant, e.typeIri) });
  });

  // Implements OASC MIM2: sets the tenant's validation mode for a model.
  app.put<{ Params: TypeParams }>(`${M}/:type/validation`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const mode = modeOf(req.body);
    unwrap(await models.setMode(req.params.type, rc.tenant, mode));
    return reply.code(204).send();
  });

  // Implements OASC MIM2: validates one entity (normalized, concise or keyValues, with its @context as for a
  // create) without storing it, against every model of its types, or judged as an instance of `model` whatever its
  // type; 200 with the violations and the tenant's mode of each model.
  app.post('/mimosa/v1/validate', async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['model']);
    json(req);
    if (Array.isArray(req.body)) raise('BadRequestData', 'A dry run validates one entity: the body must be a JSON object');
    const ld = await bodyContext(req, req.body, deps.contexts);
    const entity = unwrap(parseEntity(req.body, ld.tm, deps.now()));
    const results = unwrap(await models.dryRun(rc.tenant, entity, q.model));
    return reply.type('application/json').send({ id: entity.id, conforms: results.every((r) => r.violations.length === 0), results });
  });

  // Implements OASC MIM2: the violations warn mode recorded, most recent first (each entity's latest per model).
  app.get('/mimosa/v1/warnings', async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['type', 'id', 'limit', 'offset', 'count']);
    json(req);
    const limit = intParam('limit', q.limit, 0, deps.config.maxLimit) ?? deps.config.defaultLimit;
    const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const count = boolParam('count', q.count);
    const typeIri = q.type === undefined ? undefined : unwrap(models.find(q.type)).typeIri;
    await requireTenant(deps, rc);
    const page = await models.warnings(rc.tenant, { typeIri, entityId: q.id, limit, offset, count });
    if (page.count !== undefined) reply.header('NGSILD-Results-Count', String(page.count));
    return reply.type('application/json').send(page.items);
  });
}
