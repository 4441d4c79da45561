import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { ContextService } from '../contexts/service.js';
import type { Entity } from '../core/entity/model.js';
import { raise } from '../core/problem.js';
import { DEFAULT_TENANT, type RequestContext } from '../core/request.js';
import type { Federation } from '../federation/distribute.js';
import type { ModelService } from '../models/service.js';
import type { EndpointPolicy } from '../notify/endpoint-policy.js';
import type { Store } from '../store/port.js';
import { echoTenant, tenantOf } from './negotiate.js';

/** What route modules are given: the ports, never an engine. */
export interface ApiDeps {
  readonly config: Config;
  readonly store: Store;
  readonly contexts: ContextService;
  /** Which storage engine runs ('pglite' or 'postgres'), for health and identity answers. */
  readonly engine: string;
  /** Which notification endpoints subscriptions may name (MIMOSA_NOTIFICATION_DENY). */
  readonly endpointPolicy: EndpointPolicy;
  /** Clock, injectable for tests. */
  readonly now: () => string;
  /** Smart Data Models: the registry and the validation of entity writes (src/models). */
  readonly models: ModelService;
  /** Distributed operations: the registered context sources a request is forwarded to (clause 4.3.6). */
  readonly federation: Federation;
}

/** Builds the request context every operation runs with (tenant, principal, request id). */
export function requestContext(req: FastifyRequest, reply: FastifyReply): RequestContext {
  const tenant = tenantOf(req);
  echoTenant(reply, tenant);
  return { tenant, principal: 'anonymous', requestId: String(req.id) };
}

/** Reads and operations on existing data need the tenant to exist (404 NonexistentTenant, clause 6.3.14). */
export async function requireTenant(deps: ApiDeps, rc: RequestContext): Promise<void> {
  if (rc.tenant === DEFAULT_TENANT) return;
  if (!(await deps.store.tenantExists(rc.tenant))) raise('NonexistentTenant', `Tenant ${rc.tenant} does not exist`);
}

/**
 * Loads one entity for update, applies a pure change and writes it back, in one transaction; the entity as it will
 * be stored is checked against the Smart Data Models the tenant validates (src/models/write-checks.ts).
 * A ProblemError thrown by `change` rolls everything back. With `types` (the `type` parameter, expanded), an
 * entity of none of those types is treated as absent.
 */
export async function modifyEntity<T>(
  deps: ApiDeps,
  rc: RequestContext,
  id: string,
  change: (e: Entity) => { entity: Entity; result: T },
  types?: readonly string[],
): Promise<T> {
  await requireTenant(deps, rc);
  const checks = deps.models.writeChecks(rc.tenant);
  const out = await deps.store.write(rc.tenant, async (tx) => {
    const current = (await tx.getForUpdate([id])).get(id);
    if (!current) raise('ResourceNotFound', `Entity ${id} does not exist`);
    if (types && !types.some((t) => current.types.includes(t))) raise('ResourceNotFound', `Entity ${id} of type ${types.join(' or ')} does not exist`);
    const { entity, result } = change(current);
    checks.enforce(entity);
    await tx.update([entity]);
    return result;
  });
  await checks.record();
  return out;
}

export function entityLocation(id: string): string {
  return `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`;
}
