import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_TENANT } from '../core/request.js';
import { raise } from '../core/problem.js';

/** rel of the Link header that carries a JSON-LD context (clause 6.3.5). */
export const JSONLD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

export type MediaType = 'application/json' | 'application/ld+json' | 'application/geo+json';

/**
 * Parses the Link header(s) of a request and returns the JSON-LD context URL, if any (clause 6.3.5).
 * Several context links, or a malformed Link header, are a 400 (INTEROP-NOTES).
 */
export function contextLinkOf(req: FastifyRequest): string | undefined {
  const raw = req.headers.link;
  if (raw === undefined) return undefined;
  const found: string[] = [];
  for (const link of splitLinks(Array.isArray(raw) ? raw.join(',') : raw)) {
    const m = /^\s*<([^<>]*)>\s*((?:;\s*[^;]*)*)$/.exec(link);
    if (!m) raise('BadRequestData', `Link header ${JSON.stringify(link.trim())} is malformed`);
    const params = parseLinkParams(m[2]);
    if (params.get('rel')?.split(/\s+/).includes(JSONLD_CONTEXT_REL)) found.push(m[1]);
  }
  if (found.length > 1) raise('BadRequestData', 'Only one JSON-LD context Link header is allowed');
  if (found.length === 1) {
    try {
      new URL(found[0]);
    } catch {
      raise('BadRequestData', `JSON-LD context link ${JSON.stringify(found[0])} is not an absolute URL`);
    }
  }
  return found[0];
}

function splitLinks(header: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      out.push(header.slice(start, i));
      start = i + 1;
    }
  }
  out.push(header.slice(start));
  return out.filter((l) => l.trim() !== '');
}

function parseLinkParams(s: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of s.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return params;
}

/** The request's media type without parameters, lower-cased. */
export function contentTypeOf(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Picks the response media type from Accept (clause 6.3.6): application/json by default and for * / * and
 * application/*, application/ld+json, and application/geo+json where the operation offers it. 406 otherwise.
 */
export function negotiate(req: FastifyRequest, offers: readonly MediaType[]): MediaType {
  const accept = req.headers.accept;
  if (!accept || accept.trim() === '') return offers[0];
  const ranges = accept
    .split(',')
    .map((r, i) => {
      const [type, ...params] = r.split(';').map((x) => x.trim().toLowerCase());
      const qp = params.find((p) => p.startsWith('q='));
      const q = qp ? Number(qp.slice(2)) : 1;
      return { type, q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || specificity(b.type) - specificity(a.type) || a.i - b.i);
  for (const r of ranges) {
    if (r.type === '*/*' || r.type === 'application/*') return offers[0];
    const hit = offers.find((o) => o === r.type);
    if (hit) return hit;
  }
  raise('NotAcceptable', `None of the media types in Accept (${accept}) can be served; this resource offers ${offers.join(', ')}`);
}

function specificity(type: string): number {
  if (type === '*/*') return 0;
  return type.endsWith('/*') ? 1 : 2;
}

const TENANT_PATTERN = /^[A-Za-z0-9_.:~-][A-Za-z0-9_.:~/-]{0,255}$/;

/** The tenant named by NGSILD-Tenant (clause 6.3.14); the default tenant when absent. */
export function tenantOf(req: FastifyRequest): string {
  const raw = req.headers['ngsild-tenant'];
  if (raw === undefined) return DEFAULT_TENANT;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!TENANT_PATTERN.test(value)) {
    raise(
      'BadRequestData',
      `NGSILD-Tenant ${JSON.stringify(value.slice(0, 100))} is not a valid tenant name (1–256 characters of letters, digits and _ . : ~ - /)`,
    );
  }
  return value;
}

/** Echoes the tenant on responses, as the spec asks for operations on a named tenant. */
export function echoTenant(reply: FastifyReply, tenant: string): void {
  if (tenant !== DEFAULT_TENANT) reply.header('NGSILD-Tenant', tenant);
}
