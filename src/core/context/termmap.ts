import jsonld from 'jsonld';
import { CORE_CONTEXT_URL } from './core-contexts.js';

/**
 * A @context compiled once into plain maps, so that expanding and compacting an entity's names costs
 * map look-ups (~µs) instead of a JSON-LD processor run per entity (~200 µs measured here).
 * The context is processed by a real JSON-LD 1.1 processor (jsonld.js); only the resulting active
 * context's term definitions are kept. The core context is always appended last, so user contexts
 * cannot redefine core terms (and the protected core rejects attempts to do so after it).
 */
export interface TermMap {
  /** The user context entries (URLs or objects), without the core context. */
  readonly userContext: readonly unknown[];
  /** Vocabulary-relative IRI expansion of a term (attribute name, type name, vocab value). */
  expand(term: string): string;
  /** The shortest term or compact IRI for an IRI, or the IRI itself. */
  compact(iri: string): string;
}

export type DocumentLoader = (url: string) => Promise<unknown>;

interface TermDefinition {
  '@id'?: string | null;
  _prefix?: boolean;
  _termHasColon?: boolean;
}

interface ActiveContext {
  mappings: Map<string, TermDefinition>;
  '@vocab'?: string;
}

const jsonldApi = jsonld as unknown as {
  processContext(active: unknown, local: unknown, options: Record<string, unknown>): Promise<ActiveContext>;
};

/** Marks a failure to load a remote context (→ 503 LdContextNotAvailable) as opposed to an invalid one (→ 400). */
export class ContextLoadError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

/** An invalid @context (syntax, protected redefinition, loop…): answered with 400 InvalidRequest. */
export class InvalidContextError extends Error {}

/** The loader's own error inside jsonld's wrapping, if the loader failed. */
function loaderCause(e: unknown): ContextLoadError | InvalidContextError | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 8; depth++) {
    if (x instanceof ContextLoadError || x instanceof InvalidContextError) return x;
    const o = x as { details?: { cause?: unknown }; cause?: unknown };
    x = o.details?.cause ?? o.cause;
  }
  return undefined;
}

/**
 * Compiles user context entries (+ core) into a TermMap.
 * Throws ContextLoadError when a referenced context cannot be fetched, InvalidContextError when it is not a valid context
 * (or a reference is not a URL).
 */
export async function compileContext(userContext: readonly unknown[], load: DocumentLoader): Promise<TermMap> {
  const documentLoader = async (url: string) => {
    const document = await load(url);
    return { contextUrl: undefined, documentUrl: url, document };
  };
  let active: ActiveContext;
  try {
    const initial = await jsonldApi.processContext(null, null, {});
    active = await jsonldApi.processContext(initial, [...userContext, CORE_CONTEXT_URL], { documentLoader });
  } catch (e) {
    const cause = loaderCause(e);
    if (cause) throw cause;
    const details = (e as { details?: { code?: string } }).details;
    throw new InvalidContextError(`Invalid @context: ${details?.code ?? (e as Error).message}`);
  }
  return buildTermMap(userContext, active);
}

const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** Never a compacted name: `out[name] = …` in rendering would set the prototype and lose the member (entity/uri.ts). */
const PROTO = '__proto__';

function buildTermMap(userContext: readonly unknown[], active: ActiveContext): TermMap {
  const forward = new Map<string, string>();
  const reverse = new Map<string, string>();
  const prefixes: Array<[string, string]> = [];
  for (const [term, def] of active.mappings) {
    const iri = def['@id'];
    if (!iri || iri.startsWith('@')) continue;
    forward.set(term, iri);
    const known = reverse.get(iri);
    if (term === PROTO) continue;
    if (known === undefined || term.length < known.length || (term.length === known.length && term < known)) {
      reverse.set(iri, term);
    }
    if (def._prefix && !term.includes(':')) prefixes.push([term, iri]);
  }
  prefixes.sort((a, b) => b[1].length - a[1].length);
  const vocab = active['@vocab'];

  const expand = (term: string): string => {
    const mapped = forward.get(term);
    if (mapped !== undefined) return mapped;
    const colon = term.indexOf(':');
    if (colon > 0) {
      const prefix = term.slice(0, colon);
      const suffix = term.slice(colon + 1);
      if (prefix === '_' || suffix.startsWith('//')) return term;
      const p = forward.get(prefix);
      if (p !== undefined && active.mappings.get(prefix)?._prefix) return p + suffix;
      if (hasScheme.test(term)) return term;
    }
    return vocab !== undefined ? vocab + term : term;
  };

  const compact = (iri: string): string => {
    const term = reverse.get(iri);
    if (term !== undefined) return term;
    if (vocab !== undefined && iri.startsWith(vocab)) {
      const suffix = iri.slice(vocab.length);
      if (suffix && suffix !== PROTO && !forward.has(suffix) && !suffix.includes(':')) return suffix;
    }
    let best: string | undefined;
    for (const [prefix, ns] of prefixes) {
      if (iri.length > ns.length && iri.startsWith(ns)) {
        const candidate = `${prefix}:${iri.slice(ns.length)}`;
        if (best === undefined || candidate.length < best.length) best = candidate;
      }
    }
    return best ?? iri;
  };

  return { userContext, expand, compact };
}
