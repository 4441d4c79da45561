/**
 * The IoT agent under test: the application with the agent on (its embedded MQTT broker on a free port, or the
 * external broker a suite names), in-process; HTTP through inject(), MQTT over real sockets. Effects are awaited by
 * polling with a deadline, never by sleeping a fixed time.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import mqtt, { type MqttClient } from 'mqtt';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../src/config.js';
import type { Store } from '../../src/store/port.js';
import { forEachEngine } from '../support/engines.js';
import { buildTestApp, send, type Headers } from '../support/http.js';

export const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';

export interface IotHarness {
  app: FastifyInstance;
  store: Store;
  engine: string;
  /** Where devices connect. */
  mqttUrl: string;
}

/** The application with the IoT agent on; the embedded broker on any free port unless `overrides` names a broker. */
export async function buildIotApp(store: Store, overrides: Partial<Config> = {}, engine = 'pglite'): Promise<{ app: FastifyInstance; mqttUrl: string }> {
  const app = await buildTestApp(store, { iot: true, mqttPort: 0, ...overrides }, engine);
  const about = await poll('the agent to reach its MQTT broker', async () => {
    const a = (
      overrides.iotPort === undefined
        ? (await app.inject({ method: 'GET', url: '/iot/about' })).json()
        : await (await fetch(`http://127.0.0.1:${overrides.iotPort}/iot/about`)).json()
    ) as { mqtt: { url: string; connected: boolean } | null };
    return a.mqtt?.connected ? a.mqtt : undefined;
  });
  return { app, mqttUrl: about.url };
}

/** Declares `body` once per storage engine with one agent application per engine (like describeApi). */
export function describeIot(name: string, body: (h: () => IotHarness) => void, overrides: Partial<Config> = {}): void {
  forEachEngine(name, (engine, store) => {
    let harness: IotHarness | undefined;
    before(async () => {
      const { app, mqttUrl } = await buildIotApp(store(), overrides, engine);
      harness = { app, store: store(), engine, mqttUrl };
    });
    after(async () => {
      await harness?.app.close();
    });
    body(() => {
      if (!harness) throw new Error('the IoT harness is used before its before() hook ran');
      return harness;
    });
  });
}

/** Calls `probe` until it returns something other than undefined (or stops throwing), for at most `ms`. */
export async function poll<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(25);
  }
}

export const service = (tenant: string, path = '/'): Headers => ({ 'fiware-service': tenant, 'fiware-servicepath': path });

/** Provisions a config group and devices (asserting 201s). */
export async function provision(app: FastifyInstance, tenant: string, group: Record<string, unknown>, devices: Array<Record<string, unknown>> = []): Promise<void> {
  const g = await send(app, 'POST', '/iot/services', { services: [group] }, service(tenant));
  assert.equal(g.statusCode, 201, g.body);
  if (devices.length === 0) return;
  const d = await send(app, 'POST', '/iot/devices', { devices }, service(tenant));
  assert.equal(d.statusCode, 201, d.body);
}

/** GETs an entity of the tenant in keyValues (undefined while it does not exist). */
export async function entity(app: FastifyInstance, tenant: string, id: string, sysAttrs = false): Promise<Record<string, any> | undefined> {
  const res = await app.inject({
    method: 'GET',
    url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}?options=${sysAttrs ? 'normalized,sysAttrs' : 'keyValues'}`,
    headers: tenant ? { 'ngsild-tenant': tenant } : {},
  });
  return res.statusCode === 200 ? (res.json() as Record<string, any>) : undefined;
}

/** Polls until the entity satisfies `ok`. */
export function entityWhen(app: FastifyInstance, tenant: string, id: string, ok: (e: Record<string, any>) => boolean, what: string): Promise<Record<string, any>> {
  return poll(what, async () => {
    const e = await entity(app, tenant, id);
    return e && ok(e) ? e : undefined;
  });
}

/** The agent's counters of one device, as GET /iot/stats shows them. */
export async function counters(app: FastifyInstance, tenant: string, apikey: string, deviceId: string): Promise<Record<string, any> | undefined> {
  const res = await app.inject({ method: 'GET', url: '/iot/stats', headers: tenant ? service(tenant) : {} });
  const devices = (res.json() as { devices: Array<Record<string, any>> }).devices;
  return devices.find((d) => d.apikey === apikey && d.device_id === deviceId);
}

export async function connect(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000 });
}

export function json(res: LightMyRequestResponse): Record<string, any> {
  return res.json() as Record<string, any>;
}
