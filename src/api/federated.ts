/**
 * The API side of distributed retrieval (clause 4.3.6.4): when a query or a retrieval is forwarded to the
 * registered context sources (src/federation), with which parameters, and how their answers join the local ones.
 * `local=true` (clause 6.3.18) and a request that already passed through this broker (its `Via` header names it)
 * are answered from local data only.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../core/request.js';
import type { Operation } from '../core/csr/operations.js';
import type { EntityTarget, RegistrationMatch } from '../core/csr/match.js';
import type { QExpr } from '../core/query/q-ast.js';
import { askSources, matchingSources, warningOf, type RemoteResult } from '../federation/distribute.js';
import { isLoop, type SourceRequest } from '../federation/source-client.js';
import type { ApiDeps } from './deps.js';
import type { LdContext } from './ld.js';

/** Parameters that shape the local answer (representation, paging, joins) and are never forwarded as given. */
const NOT_FORWARDED = new Set(['options', 'format', 'pick', 'omit', 'join', 'joinLevel', 'containedBy', 'limit', 'offset', 'count', 'local', 'datasetId', 'geometryProperty', 'csf']);

/** A request header as one string (repeated headers joined, as HTTP allows for lists). */
export function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Whether this request may be forwarded to context sources at all. */
export function forwardable(req: FastifyRequest, deps: ApiDeps, local: boolean | undefined): boolean {
  return local !== true && !isLoop(header(req, 'via'), deps.federation.self);
}

/** The parameters a source is asked with: the client's, its attributes limited to what the registration offers. */
function paramsFor(q: Record<string, string | undefined>, m: RegistrationMatch, ld: LdContext): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && !NOT_FORWARDED.has(k)) params.set(k, v);
  if (m.attrs !== undefined) params.set('attrs', m.attrs.map((a) => ld.tm.compact(a)).join(','));
  // normalized with system attributes: what merging needs (the most recent instance wins)
  params.set('options', 'sysAttrs');
  return params;
}

/** The registrations that can answer `operation` for `target` (none when the request must stay local). */
export async function registeredSources(
  req: FastifyRequest,
  deps: ApiDeps,
  rc: RequestContext,
  target: EntityTarget,
  operation: Operation,
  o: { local: boolean | undefined; csf?: QExpr },
): Promise<RegistrationMatch[]> {
  if (!forwardable(req, deps, o.local)) return [];
  return matchingSources(deps.federation, rc.tenant, target, operation, o.csf);
}

/**
 * Asks the matching sources. Auxiliary sources are a fallback (clause 4.3.6.2): they are asked only when neither
 * this broker (`anyHeld`) nor another source has an entity to answer.
 */
export async function askMatched(
  req: FastifyRequest,
  deps: ApiDeps,
  rc: RequestContext,
  ld: LdContext,
  matches: readonly RegistrationMatch[],
  build: (m: RegistrationMatch, params: URLSearchParams) => SourceRequest,
  q: Record<string, string | undefined>,
  anyHeld: boolean,
): Promise<RemoteResult> {
  const link = ld.linkUrl && `<${ld.linkUrl}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
  const forwarding = { tenant: rc.tenant, link, via: header(req, 'via') };
  const ask = (ms: readonly RegistrationMatch[]) => askSources(deps.federation, forwarding, ld.tm, ms, (m) => build(m, paramsFor(q, m, ld)));
  const first = await ask(matches.filter((m) => m.registration.mode !== 'auxiliary'));
  const auxiliary = matches.filter((m) => m.registration.mode === 'auxiliary');
  if (auxiliary.length === 0 || anyHeld || first.lists.some((l) => l.length > 0)) return first;
  const fallback = await ask(auxiliary);
  return { lists: [...first.lists, ...fallback.lists], failures: [...first.failures, ...fallback.failures], asked: first.asked + fallback.asked };
}

/** Reports the sources that failed in an NGSILD-Warning header; the answer itself stays a success. */
export function reportFailures(reply: FastifyReply, remote: RemoteResult | undefined): void {
  const warning = remote && warningOf(remote.failures);
  if (warning) reply.header('NGSILD-Warning', warning);
}
