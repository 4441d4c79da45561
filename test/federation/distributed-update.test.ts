/**
 * Distributed Update and Append Entity Attributes (clauses 5.6.2, 5.6.3 with 4.3.6.3): the write goes to the registered sources by
 * mode. Mimosa-to-Mimosa on loopback (in-process brokers on random ports, embedded engine), and a node:http fake
 * source for the failure path.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { brokerPair, createEntity, CSR, localEntity as held, registerSource, uniqueType } from '../support/federation.js';
import { entityUrl, send, uniqueId } from '../support/http.js';

const register = (app: FastifyInstance, members: Record<string, unknown>): Promise<string> => registerSource(app, { operations: ['updateOps', 'retrieveOps'], ...members });
const create = createEntity;

async function localEntity(app: FastifyInstance, id: string): Promise<Record<string, any>> {
  const e = await held(app, id);
  assert.ok(e, `${id} is held`);
  return e;
}

describe('Distributed update and append of entity attributes (5.6.2, 5.6.3, 4.3.6.3)', () => {
  const p = brokerPair();

  it('update attributes should write locally and at the source when the registration is inclusive', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await create(p.a.app, { id, type, status: { type: 'Property', value: 'free' } });
    await create(p.b.app, { id, type, status: { type: 'Property', value: 'free' } });
    await register(p.a.app, { endpoint: p.b.url, information: [{ entities: [{ type }] }] });
    const res = await send(p.a.app, 'PATCH', entityUrl(id, '/attrs'), { status: { type: 'Property', value: 'taken' } });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await localEntity(p.a.app, id)).status.value, 'taken');
    assert.equal((await localEntity(p.b.app, id)).status.value, 'taken');
  });

  it('update attributes should write the registered attributes only at the source when the registration is exclusive', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await create(p.a.app, { id, type, name: { type: 'Property', value: 'P1' } });
    await create(p.b.app, { id, type, status: { type: 'Property', value: 'free' } });
    await register(p.a.app, { endpoint: p.b.url, mode: 'exclusive', information: [{ entities: [{ type, id }], propertyNames: ['status'] }] });
    const res = await send(p.a.app, 'PATCH', entityUrl(id, '/attrs'), { status: { type: 'Property', value: 'taken' }, name: { type: 'Property', value: 'P2' } });
    assert.equal(res.statusCode, 204, res.body);
    const here = await localEntity(p.a.app, id);
    assert.equal(here.name.value, 'P2');
    assert.equal(here.status, undefined);
    const there = await localEntity(p.b.app, id);
    assert.equal(there.status.value, 'taken');
    assert.equal(there.name, undefined);
  });

  it('update attributes should stay local when local=true', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await create(p.a.app, { id, type, status: { type: 'Property', value: 'free' } });
    await create(p.b.app, { id, type, status: { type: 'Property', value: 'free' } });
    await register(p.a.app, { endpoint: p.b.url, information: [{ entities: [{ type }] }] });
    const res = await send(p.a.app, 'PATCH', `${entityUrl(id, '/attrs')}?local=true`, { status: { type: 'Property', value: 'taken' } });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await localEntity(p.b.app, id)).status.value, 'free');
  });

  it('append attributes should write locally and at the source when the registration is inclusive', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await create(p.a.app, { id, type, status: { type: 'Property', value: 'free' } });
    await create(p.b.app, { id, type, status: { type: 'Property', value: 'free' } });
    await register(p.a.app, { endpoint: p.b.url, operations: ['appendAttrs', 'retrieveEntity'], information: [{ entities: [{ type }] }] });
    const res = await send(p.a.app, 'POST', entityUrl(id, '/attrs'), { capacity: { type: 'Property', value: 12 } });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await localEntity(p.a.app, id)).capacity.value, 12);
    assert.equal((await localEntity(p.b.app, id)).capacity.value, 12);
  });

  it('append attributes should keep the source value when noOverwrite is given', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await create(p.a.app, { id, type, status: { type: 'Property', value: 'free' } });
    await create(p.b.app, { id, type, status: { type: 'Property', value: 'taken' } });
    await register(p.a.app, { endpoint: p.b.url, operations: ['appendAttrs'], information: [{ entities: [{ type }] }] });
    const res = await send(p.a.app, 'POST', `${entityUrl(id, '/attrs')}?options=noOverwrite`, { status: { type: 'Property', value: 'closed' } });
    assert.equal(res.statusCode, 207, res.body);
    assert.equal((await localEntity(p.b.app, id)).status.value, 'taken');
    assert.equal((await localEntity(p.a.app, id)).status.value, 'free');
  });

  it('update attributes should answer 207 naming the attribute when the inclusive source fails', async () => {
    const server = createServer((_req, res) => res.writeHead(500).end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const type = uniqueType();
      const id = uniqueId(type);
      await create(p.a.app, { id, type, status: { type: 'Property', value: 'free' } });
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const reg = await register(p.a.app, { endpoint, information: [{ entities: [{ type }] }] });
      const res = await send(p.a.app, 'PATCH', entityUrl(id, '/attrs'), { status: { type: 'Property', value: 'taken' } });
      assert.equal(res.statusCode, 207, res.body);
      const body = res.json() as { updated: string[]; notUpdated: Array<{ attributeName: string; reason: string }> };
      assert.deepEqual(body.updated, []);
      assert.equal(body.notUpdated[0].attributeName, 'status');
      assert.equal((await localEntity(p.a.app, id)).status.value, 'taken');
      const r = (await send(p.a.app, 'GET', `${CSR}/${encodeURIComponent(reg)}`)).json() as Record<string, unknown>;
      assert.equal(r.timesFailed, 1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
