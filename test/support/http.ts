/**
 * In-process HTTP testing of the NGSI-LD API (STYLE: HTTP tested with inject(), no sockets).
 * One app per store and configuration; tests isolate themselves by entity id or tenant.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { after, before } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Store } from '../../src/store/port.js';
import { forEachEngine } from './engines.js';

export const API = '/ngsi-ld/v1';
export const ENTITIES = `${API}/entities`;
export const BATCH = `${API}/entityOperations`;
export const ERRORS = 'https://uri.etsi.org/ngsi-ld/errors/';
export const CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';
export const DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
export const JSONLD_REL = 'http://www.w3.org/ns/json-ld#context';

/** Builds the application over `store`, with configuration overrides (e.g. a small bodyLimit or batchLimit). */
export async function buildTestApp(store: Store, overrides: Partial<Config> = {}, engine = 'pglite'): Promise<FastifyInstance> {
  // no notifier unless a suite asks for one: suites that deliver notifications run their own (test/notify);
  // no IoT agent either (its embedded MQTT broker would listen): test/iot asks for one; no demo city (test/demo asks)
  const loaded = loadConfig({}, { logLevel: 'silent', notifier: false, iot: false, demo: 'off', ...overrides });
  if (!loaded.ok) throw new Error(`test configuration is invalid: ${loaded.errors.join('; ')}`);
  const app = await buildApp({ config: loaded.config, store, engine, logger: false });
  await app.ready();
  return app;
}

export type Headers = Record<string, string>;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Sends a JSON body (serialised unless already a string) with application/json unless headers say otherwise. */
export function send(app: FastifyInstance, method: Method, url: string, body?: unknown, headers: Headers = {}): Promise<LightMyRequestResponse> {
  const h: Headers = { ...headers };
  if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
  return app.inject({ method, url, headers: h, payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A `Link` header naming a JSON-LD context (clause 6.3.5). */
export function linkHeader(url: string): string {
  return `<${url}>; rel="${JSONLD_REL}"; type="application/ld+json"`;
}

/** Entity path for an id (the id URL-encoded as one path segment). */
export function entityUrl(id: string, suffix = ''): string {
  return `${ENTITIES}/${encodeURIComponent(id)}${suffix}`;
}

/** Hosts a user @context through the API (clause 5.13.2) and returns the URL clients use in Link headers. */
export async function hostContext(app: FastifyInstance, context: Record<string, unknown>): Promise<string> {
  const res = await send(app, 'POST', `${API}/jsonldContexts`, { '@context': context });
  assert.equal(res.statusCode, 201, res.body);
  return `http://localhost:80${res.headers.location}`;
}

/** Asserts a ProblemDetails answer (clause 5.5.2): status, ETSI type, title and a non-empty detail. */
export function assertProblem(res: LightMyRequestResponse, status: number, type: string): Record<string, unknown> {
  assert.equal(res.statusCode, status, `expected ${status} ${type}, got ${res.statusCode}: ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/(problem\+)?json/);
  const body = res.json() as Record<string, unknown>;
  assert.equal(body.type, `${ERRORS}${type}`, res.body);
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
  assert.ok(typeof body.detail === 'string' && body.detail.length > 0, `detail missing in ${res.body}`);
  return body;
}

/** GETs an entity in normalized form with sysAttrs off and returns the parsed body (asserting 200). */
export async function getEntity(app: FastifyInstance, id: string, query = '', headers: Headers = {}): Promise<Record<string, any>> {
  const res = await app.inject({ method: 'GET', url: `${entityUrl(id)}${query ? `?${query}` : ''}`, headers });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** A per-run unique URN, so that tests sharing one store never collide (also across repeated runs on PostgreSQL). */
export function uniqueId(prefix: string): string {
  return `urn:ngsi-ld:${prefix}:${RUN}-${++counter}`;
}
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let counter = 0;

/** A per-run unique tenant name. */
export function uniqueTenant(prefix: string): string {
  return `${prefix}_${RUN}_${++counter}`;
}

/** What a test reaches through `h()`: the app under test, its store and the engine's name. */
export interface ApiHarness {
  app: FastifyInstance;
  store: Store;
  engine: string;
}

/**
 * Declares `body` once per storage engine (test/support/engines.ts): one store and one app per engine for the
 * whole suite; `h()` reaches them inside tests. Tests isolate themselves with unique ids or tenants.
 */
export function describeApi(name: string, body: (h: () => ApiHarness) => void, overrides: Partial<Config> = {}): void {
  forEachEngine(name, (engine, store) => {
    let harness: ApiHarness | undefined;
    before(async () => {
      harness = { app: await buildTestApp(store(), overrides, engine), store: store(), engine };
    });
    after(async () => {
      await harness?.app.close();
    });
    body(() => {
      if (!harness) throw new Error('the API harness is used before its before() hook ran');
      return harness;
    });
  });
}
