import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORE_CONTEXT_URL } from '../core/context/core-contexts.js';
import type { TermMap } from '../core/context/termmap.js';
import { raise, unwrap } from '../core/problem.js';
import { contentId, HOSTED_PATH, type ContextService } from '../contexts/service.js';
import { contentTypeOf, contextLinkOf, JSONLD_CONTEXT_REL, type MediaType } from './negotiate.js';

/** The JSON-LD context a request speaks, compiled, and how to name it in the response. */
export interface LdContext {
  tm: TermMap;
  /** A URL for the Link header of application/json responses; undefined for an inline context not yet hosted. */
  linkUrl: string | undefined;
  /** The `@context` value for application/ld+json responses. */
  bodyContext: unknown;
}

const CORE_ONLY = Object.freeze([]) as readonly unknown[];

/** Context of a request without body: the Link header's URL, else the core context (clause 6.3.5). */
export async function readContext(req: FastifyRequest, contexts: ContextService): Promise<LdContext> {
  const link = contextLinkOf(req);
  if (link === undefined) return coreContext(contexts);
  const tm = unwrap(await contexts.termMap([link]));
  return { tm, linkUrl: link, bodyContext: link };
}

async function coreContext(contexts: ContextService): Promise<LdContext> {
  const tm = unwrap(await contexts.termMap(CORE_ONLY));
  return { tm, linkUrl: CORE_CONTEXT_URL, bodyContext: CORE_CONTEXT_URL };
}

/**
 * Context of a request with a JSON body (clause 6.3.5): application/json takes it from the Link header
 * and must not carry `@context` in the body; application/ld+json must carry it in the body and must
 * not send a context Link header.
 */
export async function bodyContext(req: FastifyRequest, body: unknown, contexts: ContextService): Promise<LdContext> {
  const type = contentTypeOf(req);
  const link = contextLinkOf(req);
  const inline = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['@context'] : undefined;
  if (type === 'application/ld+json') {
    if (link !== undefined) raise('BadRequestData', 'A JSON-LD context Link header is not allowed with Content-Type application/ld+json');
    if (Array.isArray(body)) return coreContext(contexts);
    if (inline === undefined) raise('BadRequestData', 'Content-Type application/ld+json requires an @context member in the body');
    return inlineContext(inline, contexts);
  }
  if (inline !== undefined) {
    raise('BadRequestData', 'An @context member in the body requires Content-Type application/ld+json (use a Link header with application/json)');
  }
  if (link === undefined) return coreContext(contexts);
  const tm = unwrap(await contexts.termMap([link]));
  return { tm, linkUrl: link, bodyContext: link };
}

/** Context of one element of a batch body: for application/ld+json each entity carries its own `@context`. */
export async function batchItemContext(
  req: FastifyRequest,
  item: unknown,
  shared: LdContext,
  contexts: ContextService,
): Promise<LdContext> {
  if (contentTypeOf(req) !== 'application/ld+json') {
    if (item !== null && typeof item === 'object' && '@context' in item) {
      raise('BadRequestData', 'An @context member in the body requires Content-Type application/ld+json');
    }
    return shared;
  }
  const inline = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>)['@context'] : undefined;
  if (inline === undefined) raise('BadRequestData', 'Content-Type application/ld+json requires an @context member in every entity');
  return inlineContext(inline, contexts);
}

async function inlineContext(inline: unknown, contexts: ContextService): Promise<LdContext> {
  const entries = Array.isArray(inline) ? inline : [inline];
  for (const e of entries) {
    if (typeof e !== 'string' && (typeof e !== 'object' || e === null || Array.isArray(e))) {
      raise('BadRequestData', '@context must be a URL, an object, or an array of those');
    }
  }
  const tm = unwrap(await contexts.termMap(entries));
  const linkUrl = entries.length === 1 && typeof entries[0] === 'string' ? entries[0] : undefined;
  return { tm, linkUrl, bodyContext: inline };
}

/**
 * An inline context cannot travel in a Link header: it is kept as an ImplicitlyCreated context
 * (clause 5.13) under a content-derived id and linked by its URL on this broker.
 */
export async function linkable(req: FastifyRequest, ctx: LdContext, contexts: ContextService, now: string): Promise<LdContext> {
  if (ctx.linkUrl !== undefined) return ctx;
  const id = `implicit-${contentId(JSON.stringify(ctx.bodyContext))}`;
  const url = `${req.protocol}://${req.headers.host ?? 'localhost'}${HOSTED_PATH}${id}`;
  await contexts.keepImplicit(id, url, { '@context': ctx.bodyContext }, now);
  return { ...ctx, linkUrl: url };
}

/** Sets Content-Type and, for application/json, adds the context Link header (clause 6.3.6) to any Link already set. */
export function contextHeaders(reply: FastifyReply, media: MediaType, ctx: LdContext): void {
  reply.type(media);
  if (media !== 'application/ld+json') {
    const link = `<${ctx.linkUrl ?? CORE_CONTEXT_URL}>; rel="${JSONLD_CONTEXT_REL}"; type="application/ld+json"`;
    const before = reply.getHeader('link');
    reply.header('Link', before === undefined ? link : `${String(before)}, ${link}`);
  }
}

/** Adds `@context` to a rendered entity for application/ld+json (and GeoJSON, clause 4.20) answers. */
export function withContext(media: MediaType, ctx: LdContext, doc: Record<string, unknown>): Record<string, unknown> {
  return media === 'application/json' ? doc : { ...doc, '@context': ctx.bodyContext };
}
