/**
 * Store contract, stored @contexts (src/store/port.ts StoredContext; the JSON-LD context API of clause 5.13),
 * run on every engine. Contexts are not tenant-specific, so each test uses ids and URLs of its own and only
 * looks at those.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { StoreQueryError } from '../../src/store/errors.js';
import type { ContextKind, StoredContext } from '../../src/store/port.js';
import { forEachEngine } from '../support/engines.js';

function context(kind: ContextKind, createdAt = '2024-01-02T03:04:05.678Z', body: unknown = { '@context': { name: 'https://schema.org/name' } }): StoredContext {
  const id = randomUUID();
  const url = kind === 'Cached' ? `https://contexts.example.org/${id}.jsonld` : `http://localhost:1026/ngsi-ld/v1/jsonldContexts/${id}`;
  return { id, url, kind, body, createdAt, numberOfHits: 0 };
}

/**
 * Expects `op` to answer `expected` or to reject with StoreQueryError: data the database cannot hold is the
 * caller's mistake (a 400), never a raw database error (a 500), as src/store/errors.ts promises.
 */
async function answersOrRefuses(op: () => Promise<unknown>, expected: unknown, what: string): Promise<void> {
  let answer: unknown;
  try {
    answer = await op();
  } catch (e) {
    assert.ok(e instanceof StoreQueryError, `${what}: a raw database error escaped: ${(e as Error).message}`);
    return;
  }
  assert.deepEqual(answer, expected, what);
}

forEachEngine('Store contract: contexts', (_engine, store) => {
  it('getContext should return the context as put when it exists', async () => {
    const c = context('Hosted');
    await store().putContext(c);
    assert.deepEqual(await store().getContext(c.id), c);
    const used = { ...context('Cached'), lastUsage: '2024-05-06T07:08:09.000Z', numberOfHits: 7 };
    await store().putContext(used);
    assert.deepEqual(await store().getContext(used.id), used);
  });

  it('getContext should return undefined when the id does not exist', async () => {
    assert.equal(await store().getContext(randomUUID()), undefined);
  });

  it('getContextByUrl should return the context when its URL is known and undefined otherwise', async () => {
    const c = context('Cached');
    await store().putContext(c);
    assert.deepEqual(await store().getContextByUrl(c.url), c);
    assert.equal(await store().getContextByUrl(`${c.url}?other`), undefined);
  });

  it('putContext should replace every member when the id already exists', async () => {
    const c = context('Cached');
    await store().putContext(c);
    const replaced: StoredContext = { ...c, url: `${c.url}#v2`, kind: 'Hosted', body: { '@context': ['https://a.example/1'] }, createdAt: '2025-01-01T00:00:00.000Z', lastUsage: '2025-01-02T00:00:00.000Z', numberOfHits: 3 };
    await store().putContext(replaced);
    assert.deepEqual(await store().getContext(c.id), replaced);
    assert.equal(await store().getContextByUrl(c.url), undefined, 'the old URL no longer leads to it');
  });

  it('putContext should keep the member order of the body when the body is read back', async () => {
    // jsonb would reorder these (shorter keys first); a client that reads its context back must see its own order.
    const body = { '@context': { zebra: 'https://z.example/zebra', a: 'https://a.example/a', '@vocab': 'https://v.example/', middle: { '@id': 'https://m.example/m', '@type': '@id' } } };
    const c = context('Hosted', undefined, body);
    await store().putContext(c);
    const back = await store().getContext(c.id);
    assert.equal(JSON.stringify(back?.body), JSON.stringify(body));
  });

  it('listContexts should list only contexts of the kind when a kind is given', async () => {
    const mine = [context('Hosted'), context('Cached'), context('ImplicitlyCreated'), context('Cached')];
    for (const c of mine) await store().putContext(c);
    const ids = new Set(mine.map((c) => c.id));
    for (const kind of ['Hosted', 'Cached', 'ImplicitlyCreated'] as const) {
      const listed = (await store().listContexts(kind)).filter((c) => ids.has(c.id));
      assert.deepEqual(new Set(listed.map((c) => c.id)), new Set(mine.filter((c) => c.kind === kind).map((c) => c.id)), kind);
      assert.ok(listed.every((c) => c.kind === kind));
    }
    const all = (await store().listContexts()).filter((c) => ids.has(c.id));
    assert.equal(all.length, mine.length, 'without a kind every context is listed');
  });

  it('listContexts should list contexts in creation order when they were created at different times', async () => {
    const mine = ['2024-03-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z'].map((t) => context('Hosted', t));
    for (const c of mine) await store().putContext(c);
    const ids = new Set(mine.map((c) => c.id));
    const listed = (await store().listContexts('Hosted')).filter((c) => ids.has(c.id));
    assert.deepEqual(listed.map((c) => c.createdAt), ['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
    assert.deepEqual(listed, [mine[1], mine[2], mine[0]], 'listed contexts are whole');
  });

  it('deleteContext should return true and remove the context when it exists, false when it does not', async () => {
    const c = context('Cached');
    await store().putContext(c);
    assert.equal(await store().deleteContext(c.id), true);
    assert.equal(await store().getContext(c.id), undefined);
    assert.equal(await store().getContextByUrl(c.url), undefined);
    assert.equal(await store().deleteContext(c.id), false);
  });

  it('touchContext should count every hit and keep the last usage when the context is used', async () => {
    const c = context('Cached');
    await store().putContext(c);
    await store().touchContext(c.id, '2024-06-01T00:00:00.000Z');
    assert.deepEqual(await store().getContext(c.id), { ...c, numberOfHits: 1, lastUsage: '2024-06-01T00:00:00.000Z' });
    await store().touchContext(c.id, '2024-06-02T00:00:00.000Z');
    assert.deepEqual(await store().getContext(c.id), { ...c, numberOfHits: 2, lastUsage: '2024-06-02T00:00:00.000Z' });
  });

  it('touchContext should lose no hit when it is called concurrently', async () => {
    const c = context('Cached');
    await store().putContext(c);
    await Promise.all(Array.from({ length: 25 }, (_, i) => store().touchContext(c.id, `2024-06-01T00:00:${String(i).padStart(2, '0')}.000Z`)));
    assert.equal((await store().getContext(c.id))?.numberOfHits, 25);
  });

  it('getContext, getContextByUrl, deleteContext and touchContext should answer as for an unknown context or reject with StoreQueryError when the id or URL holds U+0000', async () => {
    // Context ids come from the request path (/jsonldContexts/{id}), where %00 decodes to U+0000.
    const id = 'ctx\u0000id';
    await answersOrRefuses(() => store().getContext(id), undefined, 'getContext');
    await answersOrRefuses(() => store().getContextByUrl(`https://contexts.example.org/${id}`), undefined, 'getContextByUrl');
    await answersOrRefuses(() => store().deleteContext(id), false, 'deleteContext');
    await answersOrRefuses(() => store().touchContext(id, '2024-06-01T00:00:00.000Z'), undefined, 'touchContext');
  });

  it('touchContext should do nothing when the id does not exist', async () => {
    const id = randomUUID();
    await store().touchContext(id, '2024-06-01T00:00:00.000Z');
    assert.equal(await store().getContext(id), undefined);
  });
});
