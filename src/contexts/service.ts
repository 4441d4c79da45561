import { createHash } from 'node:crypto';
import { builtInContext } from '../core/context/core-contexts.js';
import { compileContext, ContextLoadError, InvalidContextError, type TermMap } from '../core/context/termmap.js';
import { fail, ok, type Result } from '../core/problem.js';
import type { EntityStore } from '../store/port.js';
import { fetchContext } from './fetch.js';

export interface ContextServiceOptions {
  timeoutMs: number;
  maxBytes: number;
}

/** Path under which hosted contexts are served; a context URL containing it is resolved from storage. */
export const HOSTED_PATH = '/ngsi-ld/v1/jsonldContexts/';

const MAX_TERM_MAPS = 1000;

/**
 * Resolves @context values to compiled TermMaps.
 * Documents come from, in order: the built-in core contexts, contexts kept by the broker (hosted, or cached
 * earlier from a remote URL), and remote URLs fetched over HTTP(S) with a time and size bound. Remote
 * documents are cached (in memory and as `Cached` in storage, listed by GET /jsonldContexts); a failure is
 * never cached. Compiled TermMaps are cached by the exact context value.
 */
export class ContextService {
  private readonly documents = new Map<string, unknown>();
  private readonly termMaps = new Map<string, Promise<TermMap>>();

  constructor(
    private readonly store: EntityStore,
    private readonly options: ContextServiceOptions,
  ) {}

  /** Compiles a request's context entries (URLs and/or inline objects; [] = core only). */
  async termMap(entries: readonly unknown[]): Promise<Result<TermMap>> {
    const key = JSON.stringify(entries);
    let pending = this.termMaps.get(key);
    if (!pending) {
      pending = compileContext(entries, (url) => this.loadDocument(url));
      if (this.termMaps.size >= MAX_TERM_MAPS) this.termMaps.delete(this.termMaps.keys().next().value as string);
      this.termMaps.set(key, pending);
    }
    try {
      return ok(await pending);
    } catch (e) {
      this.termMaps.delete(key);
      if (e instanceof ContextLoadError) return fail('LdContextNotAvailable', `@context ${e.url} cannot be retrieved: ${e.message}`);
      if (e instanceof InvalidContextError) return fail('InvalidRequest', e.message);
      throw e;
    }
  }

  /** Drops every cached document and compiled map (after a context is deleted or reloaded). */
  invalidate(url?: string): void {
    if (url === undefined) this.documents.clear();
    else this.documents.delete(url);
    this.termMaps.clear();
  }

  /** Fetches a remote context now (bypassing caches) and stores it as Cached; used by reload and by loadDocument. */
  async fetchAndCache(url: string): Promise<unknown> {
    const document = await fetchContext(url, this.options);
    this.documents.set(url, document);
    const now = new Date().toISOString();
    const known = await this.store.getContextByUrl(url);
    await this.store.putContext({
      id: known?.id ?? cachedContextId(url),
      url,
      kind: 'Cached',
      body: document,
      createdAt: known?.createdAt ?? now,
      lastUsage: now,
      numberOfHits: known?.numberOfHits ?? 0,
    });
    return document;
  }

  /** Keeps an inline context as ImplicitlyCreated so that a Link header can name it (idempotent). */
  async keepImplicit(id: string, url: string, document: unknown, now: string): Promise<void> {
    if (await this.store.getContext(id)) return;
    await this.store.putContext({ id, url, kind: 'ImplicitlyCreated', body: document, createdAt: now, numberOfHits: 0 });
  }

  private async loadDocument(url: string): Promise<unknown> {
    const builtIn = builtInContext(url);
    if (builtIn) return builtIn;
    const inMemory = this.documents.get(url);
    if (inMemory !== undefined) return inMemory;
    const stored = await this.fromStore(url);
    if (stored !== undefined) {
      this.documents.set(url, stored);
      return stored;
    }
    if (url.includes(HOSTED_PATH)) throw new ContextLoadError(url, 'no such hosted context');
    return this.fetchAndCache(url);
  }

  private async fromStore(url: string): Promise<unknown> {
    const byUrl = await this.store.getContextByUrl(url);
    if (byUrl) return byUrl.body;
    const at = url.indexOf(HOSTED_PATH);
    if (at < 0) return undefined;
    const id = decodeURIComponent(url.slice(at + HOSTED_PATH.length));
    return (await this.store.getContext(id))?.body;
  }
}

/** A stable local id for a cached remote context, derived from its URL. */
export function cachedContextId(url: string): string {
  return `cached-${contentId(url)}`;
}

/** A stable digest of a string, for content-derived context ids. */
export function contentId(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
