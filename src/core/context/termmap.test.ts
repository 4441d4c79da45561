import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import jsonld from 'jsonld';
import { builtInContext, CORE_CONTEXT_URL, coreContextUrls } from './core-contexts.js';
import { compileContext, ContextLoadError, InvalidContextError } from './termmap.js';

const load = async (url: string) => builtInContext(url) ?? Promise.reject(new ContextLoadError(url, 'not built in'));
const user = { ex: 'http://example.org/', temperature: 'ex:temperature', Car: 'ex:vehicle/Car', brand: { '@id': 'ex:brand', '@type': '@vocab' } };

test('built-in core contexts should equal the shared copies byte for byte (as JSON)', () => {
  for (const v of ['1.3', '1.4', '1.9']) {
    const shared = JSON.parse(readFileSync(new URL(`../../../../shared/ngsi-ld/contexts/ngsi-ld-core-context-v${v}.jsonld`, import.meta.url), 'utf8'));
    assert.deepEqual(builtInContext(`https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v${v}.jsonld`), shared, v);
  }
});

test('builtInContext should answer every versioned and the unversioned core URL and nothing else', () => {
  for (const url of coreContextUrls) assert.ok(builtInContext(url), url);
  assert.ok(builtInContext('http://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld'));
  assert.equal(builtInContext('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.2.jsonld'), undefined);
  assert.equal(builtInContext('https://example.org/context.jsonld'), undefined);
});

test('expand should agree with a JSON-LD processor when names come from user and core contexts', async () => {
  const tm = await compileContext([user], load);
  const doc = { '@context': [user, CORE_CONTEXT_URL], id: 'urn:x:1', type: 'Car', temperature: 1, location: 2, unknownTerm: 3, 'ex:other': 4, 'http://a.org/b': 5 };
  const [expanded] = (await jsonld.expand(doc as never, { documentLoader: async (u: string) => ({ document: await load(u), documentUrl: u, contextUrl: undefined }) } as never)) as unknown as Array<Record<string, unknown>>;
  const keys = Object.keys(expanded).filter((k) => !k.startsWith('@')).sort();
  const ours = ['temperature', 'location', 'unknownTerm', 'ex:other', 'http://a.org/b'].map((t) => tm.expand(t)).sort();
  assert.deepEqual(ours, keys);
  assert.deepEqual(expanded['@type'], [tm.expand('Car')]);
});

test('compact should invert expand for every user and core term', async () => {
  const tm = await compileContext([user], load);
  for (const t of ['temperature', 'Car', 'brand', 'location', 'observedAt', 'unknownTerm', 'ex:notATerm']) assert.equal(tm.compact(tm.expand(t)), t);
  assert.equal(tm.compact('http://elsewhere.org/x'), 'http://elsewhere.org/x');
});

test('compact should never answer __proto__ when an IRI would compact to it', async () => {
  // as JSON.parse reads a remote context: `__proto__` as an own member
  const tm = await compileContext([JSON.parse('{"__proto__": "http://example.org/p"}')], load);
  const vocabProto = tm.expand('x').replace(/x$/, '__proto__');
  assert.notEqual(tm.compact(vocabProto), '__proto__');
  assert.equal(tm.expand(tm.compact(vocabProto)), vocabProto);
  assert.equal(tm.compact('http://example.org/p'), 'http://example.org/p');
});

test('compact(expand(t)) should be t for arbitrary simple terms', async () => {
  const tm = await compileContext([user], load);
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/), (t) => tm.compact(tm.expand(t)) === t || tm.expand(tm.compact(tm.expand(t))) === tm.expand(t)));
});

test('compileContext should reject a redefinition of a protected core term after the core context', async () => {
  await assert.rejects(compileContext([CORE_CONTEXT_URL, { location: 'http://x.org/loc' }], load), InvalidContextError);
});

test('compileContext should keep core terms when a user context defines them before the core', async () => {
  const tm = await compileContext([{ location: 'http://x.org/loc' }], load);
  assert.equal(tm.expand('location'), 'https://uri.etsi.org/ngsi-ld/location');
});

test('compileContext should surface a loader failure as ContextLoadError when a remote context is unreachable', async () => {
  await assert.rejects(compileContext(['http://127.0.0.1:9/none.jsonld'], load), ContextLoadError);
});

test('compileContext should reject syntactically invalid contexts', async () => {
  await assert.rejects(compileContext([{ '@vocab': 42 }], load), InvalidContextError);
  await assert.rejects(compileContext([{ term: { '@id': 7 } }], load), InvalidContextError);
});
