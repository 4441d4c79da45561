/**
 * The portal calls Mimosa's public APIs like any other client, with the chosen tenant in NGSILD-Tenant
 * (Fiware-Service for the IoT agent).
 */
import { signal } from './signal';

const KEY = 'mimosa.tenant';

/** The tenant the pages show: from ?tenant= when given (links can name one), else the last one chosen. */
export const tenant = signal(new URLSearchParams(location.search).get('tenant') ?? localStorage.getItem(KEY) ?? '');
localStorage.setItem(KEY, tenant.value);
tenant.subscribe((t) => localStorage.setItem(KEY, t));

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** A failed call, with the ProblemDetails detail when the API gave one. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function tenantHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return tenant.value === '' ? extra : { 'NGSILD-Tenant': tenant.value, ...extra };
}

/** GETs (or sends) JSON; a status outside 2xx is thrown as ApiError unless listed in `accept`. */
export async function call<T>(path: string, init: RequestInit = {}, accept: number[] = []): Promise<Answer<T>> {
  const res = await fetch(path, { ...init, headers: { Accept: 'application/json', ...tenantHeaders(), ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  if (!res.ok && !accept.includes(res.status)) {
    const detail = (body as { detail?: string } | undefined)?.detail;
    throw new ApiError(res.status, detail ?? `${res.status} ${res.statusText}`);
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export async function get<T>(path: string): Promise<T> {
  return (await call<T>(path)).body;
}

export const NGSI = '/ngsi-ld/v1';

/** An entity in keyValues form (clause 4.5.4). */
export interface KeyValues {
  id: string;
  type: string | string[];
  location?: Geometry;
  deletedAt?: string;
  [attr: string]: unknown;
}

interface Geometry {
  type: string;
  coordinates: unknown;
}

/** Every entity of a query, page by page (the broker's largest page is MIMOSA_MAX_LIMIT, 1000 by default). */
export async function queryAll(params: URLSearchParams, most = 20_000): Promise<KeyValues[]> {
  const out: KeyValues[] = [];
  const limit = 1000;
  for (let offset = 0; offset < most; offset += limit) {
    params.set('limit', String(limit));
    params.set('offset', String(offset));
    const page = await get<KeyValues[]>(`${NGSI}/entities?${params}`);
    out.push(...page);
    if (page.length < limit) break;
  }
  return out;
}

/** The entity types of the tenant, as the core context names them. */
export async function entityTypes(): Promise<string[]> {
  const r = await call<{ typeList?: string[] }>(`${NGSI}/types`, {}, [404]);
  return r.status === 404 ? [] : (r.body.typeList ?? []);
}

export function firstType(e: { type: string | string[] }): string {
  return Array.isArray(e.type) ? e.type[0] : e.type;
}

export function entityPath(id: string): string {
  return `/entity/${encodeURIComponent(id)}`;
}
