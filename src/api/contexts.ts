import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { builtInContext, coreContextUrls, CORE_CONTEXT_URL } from '../core/context/core-contexts.js';
import { raise, unwrap } from '../core/problem.js';
import { ContextLoadError } from '../core/context/termmap.js';
import { HOSTED_PATH } from '../contexts/service.js';
import type { ContextKind, StoredContext } from '../store/port.js';
import type { ApiDeps } from './deps.js';
import { contentTypeOf, negotiate } from './negotiate.js';
import { boolParam, queryOf } from './params.js';

const C = '/ngsi-ld/v1/jsonldContexts';
const KINDS: readonly ContextKind[] = ['Hosted', 'Cached', 'ImplicitlyCreated'];

/** The details form of a context (clause 5.13.3 / 5.2.41 ContextInfo-like members). */
function details(c: StoredContext): Record<string, unknown> {
  return {
    URL: c.url,
    localId: c.id,
    kind: c.kind,
    createdAt: c.createdAt,
    ...(c.kind === 'Hosted' ? {} : { lastUsage: c.lastUsage, numberOfHits: c.numberOfHits }),
  };
}

function coreDetails(url: string): Record<string, unknown> {
  return { URL: url, localId: 'core', kind: 'Cached', createdAt: new Date(0).toISOString(), extraInfo: { builtIn: true } };
}

function selfUrl(req: FastifyRequest, id: string): string {
  const host = req.headers.host ?? 'localhost';
  return `${req.protocol}://${host}${C}/${encodeURIComponent(id)}`;
}

async function find(deps: ApiDeps, contextId: string): Promise<StoredContext | undefined> {
  return (await deps.store.getContext(contextId)) ?? (await deps.store.getContextByUrl(contextId));
}

export function contextRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.13.3 List @contexts.
  app.get(C, async (req, reply) => {
    const q = queryOf(req, ['details', 'kind']);
    const withDetails = boolParam('details', q.details);
    if (q.kind !== undefined && !KINDS.includes(q.kind as ContextKind)) raise('BadRequestData', `kind must be one of ${KINDS.join(', ')}`);
    negotiate(req, ['application/json']);
    const stored = await deps.store.listContexts(q.kind as ContextKind | undefined);
    const core = q.kind === undefined || q.kind === 'Cached' ? coreContextUrls : [];
    const body = withDetails ? [...core.map(coreDetails), ...stored.map(details)] : [...core, ...stored.map((c) => c.url)];
    return reply.type('application/json').send(body);
  });

  // Implements 5.13.4 Serve @context.
  app.get<{ Params: { contextId: string } }>(`${C}/:contextId`, async (req, reply) => {
    const q = queryOf(req, ['details']);
    const withDetails = boolParam('details', q.details);
    negotiate(req, ['application/json', 'application/ld+json']);
    const id = req.params.contextId;
    const builtIn = id === 'core' ? builtInContext(CORE_CONTEXT_URL) : builtInContext(id);
    if (builtIn) return reply.type('application/ld+json').send(withDetails ? coreDetails(id === 'core' ? CORE_CONTEXT_URL : id) : builtIn);
    const c = await find(deps, id);
    if (!c) raise('ResourceNotFound', `@context ${id} does not exist`);
    if (withDetails) return reply.type('application/json').send(details(c));
    await deps.store.touchContext(c.id, deps.now());
    return reply.type('application/ld+json').send(c.body);
  });

  // Implements 5.13.2 Add @context (a hosted context).
  app.post(C, async (req, reply) => {
    queryOf(req, []);
    const type = contentTypeOf(req);
    if (type !== 'application/json' && type !== 'application/ld+json') raise('UnsupportedMediaType', 'Content-Type must be application/json or application/ld+json');
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !('@context' in body)) {
      raise('BadRequestData', 'The body must be a JSON object with an @context member');
    }
    const value = (body as Record<string, unknown>)['@context'];
    if (value === null || typeof value !== 'object') raise('BadRequestData', 'A hosted @context must be a JSON object or array');
    unwrap(await deps.contexts.termMap(Array.isArray(value) ? value : [value]));
    const id = randomUUID();
    const url = selfUrl(req, id);
    await deps.store.putContext({ id, url, kind: 'Hosted', body: { '@context': value }, createdAt: deps.now(), numberOfHits: 0 });
    return reply.code(201).header('Location', `${C}/${id}`).send();
  });

  // Implements 5.13.5 Delete and Reload @context.
  app.delete<{ Params: { contextId: string } }>(`${C}/:contextId`, async (req, reply) => {
    const q = queryOf(req, ['reload']);
    const reload = boolParam('reload', q.reload);
    const id = req.params.contextId;
    if (id === 'core' || builtInContext(id)) raise('BadRequestData', 'The core @context cannot be deleted');
    const c = await find(deps, id);
    if (!c) raise('ResourceNotFound', `@context ${id} does not exist`);
    if (reload) {
      if (c.kind !== 'Cached') raise('BadRequestData', `Only Cached contexts can be reloaded; ${id} is ${c.kind}`);
      try {
        await deps.contexts.fetchAndCache(c.url);
      } catch (e) {
        if (e instanceof ContextLoadError) raise('LdContextNotAvailable', `@context ${c.url} cannot be retrieved: ${e.message}`);
        throw e;
      }
    } else {
      await deps.store.deleteContext(c.id);
    }
    deps.contexts.invalidate(c.url);
    return reply.code(204).send();
  });
}

