/**
 * Mimosa-to-Mimosa federation on loopback: brokers built in-process on the embedded engine, each listening on a
 * random port so that the others can reach it as a registered context source, and plain node:http fake sources
 * for the error paths.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config.js';
import { openTestStore } from './engines.js';
import { API, buildTestApp, ENTITIES, entityUrl, send, uniqueId } from './http.js';

export const CSR = `${API}/csourceRegistrations`;

export interface Broker {
  app: FastifyInstance;
  url: string;
  dispose: () => Promise<void>;
}

/**
 * A broker on a random port. Sources get 10 s (the suite shares two cores with others: a healthy source may be slow);
 * tests of timeouts give their registration a short `management.timeout` instead.
 */
export async function startBroker(overrides: Partial<Config> = {}): Promise<Broker> {
  const { store, dispose } = await openTestStore('pglite');
  const app = await buildTestApp(store, { federationTimeoutMs: 10_000, ...overrides });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dispose: async () => {
      await app.close();
      await dispose();
    },
  };
}

/** Two brokers for the enclosing suite, started before it and disposed after it: `a` forwards, `b` is the source. */
export function brokerPair(overrides: Partial<Config> = {}): { a: Broker; b: Broker } {
  const pair = {} as { a: Broker; b: Broker };
  before(async () => {
    pair.a = await startBroker(overrides);
    pair.b = await startBroker();
  });
  after(async () => {
    await pair.a?.dispose();
    await pair.b?.dispose();
  });
  return pair;
}

export interface FakeSource {
  url: string;
  /** The headers of every request received. */
  seen: IncomingHttpHeaders[];
  /** Method and URL of every request received. */
  requests: string[];
  server: Server;
  close: () => void;
}

/** A fake source: answers every request as `behave` says, and records what it received. */
export function fakeSource(behave: (res: ServerResponse, req: IncomingMessage) => void): Promise<FakeSource> {
  const seen: IncomingHttpHeaders[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    requests.push(`${req.method} ${req.url}`);
    behave(res, req);
  });
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, requests, server, close })),
  );
}

export const uniqueType = (): string => `Parking${Math.random().toString(36).slice(2, 10)}`;

/** Registers a context source at `app` (201 expected); resolves to the registration id. */
export async function registerSource(app: FastifyInstance, members: Record<string, unknown>): Promise<string> {
  const id = uniqueId('ContextSourceRegistration');
  const res = await send(app, 'POST', CSR, { id, type: 'ContextSourceRegistration', ...members });
  assert.equal(res.statusCode, 201, res.body);
  return id;
}

/** A registration at `app` of `endpoint` for every entity of `type` (all attributes unless `attrs` narrows them). */
export function registerForType(app: FastifyInstance, endpoint: string, type: string, mode: string, operations: string[], attrs?: string[]): Promise<string> {
  const info: Record<string, unknown> = { entities: [{ type }] };
  if (attrs) info.propertyNames = attrs;
  return registerSource(app, { endpoint, mode, operations, information: [info] });
}

export async function createEntity(app: FastifyInstance, entity: Record<string, unknown>): Promise<void> {
  const res = await send(app, 'POST', `${ENTITIES}?local=true`, entity);
  assert.equal(res.statusCode, 201, res.body);
}

/** The entity as `app` holds it itself (normalized), or undefined when it holds none. */
export async function localEntity(app: FastifyInstance, id: string): Promise<Record<string, any> | undefined> {
  const res = await send(app, 'GET', `${entityUrl(id)}?local=true`);
  if (res.statusCode === 404) return undefined;
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Record<string, any>;
}
