import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startContextServer, json, type ContextServer } from '../../test/support/context-server.js';
import { ContextLoadError, InvalidContextError } from '../core/context/termmap.js';
import { fetchContext } from './fetch.js';

let srv: ContextServer;
const opts = { timeoutMs: 500, maxBytes: 10_000 };

before(async () => {
  srv = await startContextServer({
    '/ok.jsonld': json({ '@context': { a: 'http://a.org/a' } }),
    '/nocontext.jsonld': json({ a: 1 }),
    '/broken.jsonld': (_q, r) => r.writeHead(200).end('{not json'),
    '/error.jsonld': json({ oops: true }, 500),
    '/big.jsonld': json({ '@context': { a: 'x'.repeat(20_000) } }),
    '/slow.jsonld': () => undefined,
  });
});
after(() => srv.close());

test('fetchContext should return the document when the server answers a JSON-LD context', async () => {
  assert.deepEqual(await fetchContext(srv.url('/ok.jsonld'), opts), { '@context': { a: 'http://a.org/a' } });
});

for (const [path, reason] of [
  ['/missing.jsonld', /answered 404/],
  ['/error.jsonld', /answered 500/],
  ['/nocontext.jsonld', /no @context member/],
  ['/broken.jsonld', /not JSON/],
  ['/big.jsonld', /larger than 10000 bytes/],
  ['/slow.jsonld', /no answer within 500 ms/],
] as const) {
  test(`fetchContext should fail with ContextLoadError when ${path} cannot be used`, async () => {
    await assert.rejects(fetchContext(srv.url(path), opts), (e: unknown) => e instanceof ContextLoadError && reason.test(e.message));
  });
}

test('fetchContext should refuse schemes other than http and https', async () => {
  await assert.rejects(fetchContext('file:///etc/passwd', opts), /file: scheme is not supported/);
  await assert.rejects(fetchContext('not a url', opts), (e: unknown) => e instanceof InvalidContextError && /not an absolute URL/.test(e.message));
});
