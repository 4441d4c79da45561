import { ContextLoadError, InvalidContextError } from '../core/context/termmap.js';

/**
 * Fetches a remote @context document over HTTP(S), bounded in time and size, and checks that it is
 * a JSON object with an `@context` member. Any failure throws ContextLoadError (→ 503 LdContextNotAvailable),
 * which the caller never caches. A reference that is not an absolute http(s) URL is the client's mistake, not an
 * outage: InvalidContextError (→ 400).
 */
export async function fetchContext(url: string, o: { timeoutMs: number; maxBytes: number }): Promise<unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidContextError(`@context reference ${JSON.stringify(url.slice(0, 200))} is not an absolute URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    // no retry will ever fetch it: the client named something that is not a context location
    throw new InvalidContextError(`@context ${url.slice(0, 200)} cannot be retrieved: the ${parsed.protocol} scheme is not supported (http or https only)`);
  }
  const signal = AbortSignal.timeout(o.timeoutMs);
  let text: string;
  try {
    const res = await fetch(parsed, {
      signal,
      redirect: 'follow',
      headers: { accept: 'application/ld+json, application/json;q=0.9, */*;q=0.1' },
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new ContextLoadError(url, `the server answered ${res.status}`);
    }
    text = await readBounded(res, url, o.maxBytes);
  } catch (e) {
    if (e instanceof ContextLoadError) throw e;
    const reason = signal.aborted ? `no answer within ${o.timeoutMs} ms` : (e as Error).message;
    throw new ContextLoadError(url, reason);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ContextLoadError(url, 'the document is not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document) || !('@context' in document)) {
    throw new ContextLoadError(url, 'the document has no @context member');
  }
  return document;
}

async function readBounded(res: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new ContextLoadError(url, `the document is larger than ${maxBytes} bytes`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new ContextLoadError(url, `the document is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
