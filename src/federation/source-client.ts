/**
 * Sending one request of a distributed operation to a registered context source (clause 4.3.6): the source's
 * NGSI-LD interface at the registration's endpoint, the registration's tenant and contextSourceInfo, the requester's
 * @context, and a `Via` header naming this broker (RFC 9110 clause 7.6.3) so that a loop comes back recognisable.
 * Failures (network, timeout, a status other than the expected ones, a body that is not JSON) are values.
 */
import type { ContextSourceRegistration } from '../core/csr/model.js';

export interface Forwarding {
  /** The tenant of the request; the registration's own tenant, when given, takes its place. */
  tenant: string;
  /** The Link header carrying the requester's @context, when it gave one. */
  link?: string;
  /** The Via header the request arrived with, if any. */
  via?: string;
  /** This broker's identity (a URI), added to Via. */
  self: string;
  timeoutMs: number;
  /** Why an endpoint must not be reached (MIMOSA_NOTIFICATION_DENY, resolved), or undefined when it may. */
  deny?: (uri: string) => Promise<string | undefined>;
}

/** One request to one source, built from what its registration offers. */
export interface SourceRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  params?: URLSearchParams;
  body?: unknown;
  /** Statuses that are answers; 404 to a retrieval means the source holds no such entity. */
  accept: readonly number[];
}

export type SourceAnswer = { ok: true; status: number; body: unknown } | { ok: false; detail: string };

const BASE = '/ngsi-ld/v1';

/** The URL of `path` (under /ngsi-ld/v1) at an endpoint, whether or not the endpoint names the base path. */
export function sourceUrl(endpoint: string, path: string, params?: URLSearchParams): string {
  const root = endpoint.replace(/\/+$/, '');
  const base = root.endsWith(BASE) ? root : `${root}${BASE}`;
  const query = params && [...params.keys()].length > 0 ? `?${params}` : '';
  return `${base}${path}${query}`;
}

/** The Via header sent on: what arrived, then this broker (RFC 9110 clause 7.6.3). */
export function viaOf(f: Pick<Forwarding, 'via' | 'self'>): string {
  return f.via ? `${f.via}, 1.1 ${f.self}` : `1.1 ${f.self}`;
}

/** Whether a request has passed through this broker already: it is answered locally only. */
export function isLoop(via: string | undefined, self: string): boolean {
  return via !== undefined && via.split(',').some((hop) => hop.trim().split(/\s+/)[1] === self);
}

const hasContext = (x: unknown): boolean => typeof x === 'object' && x !== null && '@context' in x;

function headersOf(r: ContextSourceRegistration, f: Forwarding, body: unknown): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', via: viaOf(f) };
  for (const kv of r.contextSourceInfo ?? []) h[kv.key.toLowerCase()] = kv.value;
  const tenant = r.tenant ?? (f.tenant === '' ? undefined : f.tenant);
  if (tenant) h['ngsild-tenant'] = tenant;
  // a body carrying its @context is JSON-LD, and then a Link header is not allowed (clause 6.3.5); so is a batch
  // whose entities carry theirs
  const ldBody = Array.isArray(body) ? body.some(hasContext) : hasContext(body);
  if (f.link && !ldBody) h.link = f.link;
  if (body !== undefined) h['content-type'] = ldBody ? 'application/ld+json' : 'application/json';
  return h;
}

/** Sends one request to a source; `accept` lists the statuses that count as an answer (others are failures). */
export async function askSource(
  r: ContextSourceRegistration,
  f: Forwarding,
  req: SourceRequest,
): Promise<SourceAnswer> {
  const timeoutMs = Math.min(f.timeoutMs, r.management?.timeout ?? Number.POSITIVE_INFINITY);
  const denied = await f.deny?.(r.endpoint);
  if (denied !== undefined) return { ok: false, detail: `Context source ${r.endpoint} is not reached: ${denied}` };
  try {
    const res = await fetch(sourceUrl(r.endpoint, req.path, req.params), {
      method: req.method,
      headers: headersOf(r, f, req.body),
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    const text = await res.text();
    if (!req.accept.includes(res.status)) return { ok: false, detail: `Context source ${r.endpoint} answers ${res.status}` };
    if (text === '') return { ok: true, status: res.status, body: undefined };
    try {
      return { ok: true, status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, detail: `Context source ${r.endpoint} answers a body that is not JSON` };
    }
  } catch (e) {
    const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    return { ok: false, detail: timeout ? `Context source ${r.endpoint} does not answer within ${timeoutMs} ms` : `Context source ${r.endpoint} is unreachable` };
  }
}
