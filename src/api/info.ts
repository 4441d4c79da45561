import type { FastifyInstance } from 'fastify';
import { CORE_CONTEXT_URL } from '../core/context/core-contexts.js';
import { consumptionOperations, provisionOperations, subscriptionOperations } from '../core/csr/operations.js';
import { raise } from '../core/problem.js';
import { requestContext, requireTenant, type ApiDeps } from './deps.js';
import { contextHeaders, readContext, withContext } from './ld.js';
import { negotiate } from './negotiate.js';
import { queryOf } from './params.js';

export interface Identity {
  /** A URI unique to this deployment (stable across restarts when configured, else per process). */
  readonly id: string;
  readonly alias: string;
  readonly startedAt: number;
}

/** ISO 8601 duration of an uptime in milliseconds (PnDTnHnMnS). */
export function isoDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `P${d ? `${d}D` : ''}T${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s}S`;
}

/**
 * The operations this build implements, named as clause 4.20 (table 4.20-1) names them, so that a client or a
 * federating broker can compare them with a registration's `operations`. Only the EntityMap operations
 * (clause 5.14) are left out: `entityMap` is answered 422. The resources table 4.20-1 does not name (registrations,
 * registration subscriptions, @contexts, identity) follow its pattern.
 */
const implementedOperations = [
  ...provisionOperations,
  ...consumptionOperations,
  ...subscriptionOperations,
  'createCSR', 'queryCSR', 'retrieveCSR', 'updateCSR', 'deleteCSR',
  'createCSRSubscription', 'queryCSRSubscription', 'retrieveCSRSubscription', 'updateCSRSubscription', 'deleteCSRSubscription',
  'listContexts', 'serveContext', 'addContext', 'deleteContext', 'retrieveCSIdentityInfo',
];

/** The API surface this build implements, reported by /info/conformance. */
const conformance = {
  specification: 'ETSI GS CIM 009',
  version: '1.8.1',
  additions: '1.9.1',
  coreContext: CORE_CONTEXT_URL,
  operations: implementedOperations,
  representations: ['normalized', 'concise', 'keyValues', 'application/json', 'application/ld+json', 'application/geo+json'],
  multiTenancy: true,
};

export function infoRoutes(app: FastifyInstance, deps: ApiDeps, identity: Identity): void {
  // Implements 5.15.1 Retrieve Context Source Identity Information.
  app.get('/ngsi-ld/v1/info/sourceIdentity', async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, []);
    const media = negotiate(req, ['application/json', 'application/ld+json']);
    const ld = await readContext(req, deps.contexts);
    await requireTenant(deps, rc);
    contextHeaders(reply, media, ld);
    return reply.send(
      withContext(media, ld, {
        id: identity.id,
        type: 'ContextSourceIdentity',
        contextSourceExtras: { product: 'Mimosa', engine: deps.engine, tenant: rc.tenant || null },
        contextSourceUpTime: isoDuration(Date.now() - identity.startedAt),
        contextSourceTimeAt: deps.now(),
        contextSourceAlias: rc.tenant ? `${identity.alias}:${rc.tenant}` : identity.alias,
      }),
    );
  });

  // Implements 5.15.2 Retrieve conformance information (V1.9 addition).
  app.get('/ngsi-ld/v1/info/conformance', async (req, reply) => {
    queryOf(req, []);
    negotiate(req, ['application/json']);
    return reply.type('application/json').send({ id: identity.id, type: 'ConformanceInformation', ...conformance });
  });

  /** Liveness and readiness for load balancers: 200 when the database answers, 503 otherwise. */
  app.get('/health', async (req, reply) => {
    queryOf(req, []);
    try {
      await deps.store.ping();
    } catch {
      raise('ServiceUnavailable', 'The database does not answer');
    }
    return reply.type('application/json').send({ status: 'ok', engine: deps.engine, uptime: isoDuration(Date.now() - identity.startedAt) });
  });
}
