/**
 * Provisions the demo city through Mimosa's own APIs, in-process (inject, no socket), as an operator's script would:
 * entities by batch creation (clause 5.6.7; one transaction per batch of 100), then the IoT agent's config groups and
 * devices (FIWARE provisioning API). It is idempotent: what exists already is left as it is (an entity is never
 * overwritten, so a restart keeps the readings and history gathered so far), and only what is missing is created.
 * The entities it creates get their recent past too (src/demo/history.ts): only those, so a restart writes no
 * history twice.
 */
import { problem, type Problem, type Result } from '../core/problem.js';
import type { Thing } from './catalogue.js';
import type { Call } from './client.js';
import { deviceOf, entityOf, groupsOf, zonesOf } from './documents.js';
import { writeHistory } from './history.js';
import type { Moment } from './readings.js';

type Json = Record<string, unknown>;

/** What one provisioning created (zero everywhere when the city was there already). */
export interface ProvisionReport {
  entities: number;
  /** Attribute instances of the history written for the entities created. */
  history: number;
  groups: number;
  devices: number;
}

const BATCH = 100;
const ERRORS = 'https://uri.etsi.org/ngsi-ld/errors/';

const refused = (what: string, status: number, json: unknown): Problem =>
  problem(status === 409 ? 'AlreadyExists' : 'InternalError', `The demo city cannot be provisioned: ${what} answered ${status} ${JSON.stringify(json).slice(0, 300)}`);

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/**
 * Creates the entities that do not exist yet; an entity that exists is an AlreadyExists error of the batch, and is
 * fine. Returns the ids created.
 */
async function createEntities(call: Call, tenant: string | undefined, entities: Json[]): Promise<Result<Set<string>>> {
  const created = new Set<string>();
  for (const batch of chunks(entities)) {
    const r = await call('POST', '/ngsi-ld/v1/entityOperations/create', batch, tenant);
    if (r.status === 201) {
      for (const e of batch) created.add(String(e.id));
      continue;
    }
    const body = r.json as { success?: string[]; errors?: Array<{ error: { type: string } }> } | undefined;
    const other = r.status === 207 ? body?.errors?.find((e) => e.error.type !== `${ERRORS}AlreadyExists`) : r.json;
    if (other !== undefined) return { ok: false, problem: refused('batch entity creation', r.status, other) };
    for (const id of body?.success ?? []) created.add(id);
  }
  return { ok: true, value: created };
}

async function createGroups(call: Call, tenant: string | undefined): Promise<Result<number>> {
  const listed = await call('GET', '/iot/services?limit=10000', undefined, tenant);
  if (listed.status !== 200) return { ok: false, problem: refused('GET /iot/services', listed.status, listed.json) };
  const have = new Set(((listed.json as { services: Json[] }).services ?? []).map((g) => g.apikey));
  const missing = groupsOf().filter((g) => !have.has(g.apikey));
  if (missing.length === 0) return { ok: true, value: 0 };
  const r = await call('POST', '/iot/services', { services: missing }, tenant);
  return r.status === 201 ? { ok: true, value: missing.length } : { ok: false, problem: refused('POST /iot/services', r.status, r.json) };
}

async function createDevices(call: Call, tenant: string | undefined, things: readonly Thing[]): Promise<Result<number>> {
  const listed = await call('GET', '/iot/devices?limit=10000', undefined, tenant);
  if (listed.status !== 200) return { ok: false, problem: refused('GET /iot/devices', listed.status, listed.json) };
  const have = new Set(((listed.json as { devices: Json[] }).devices ?? []).map((d) => d.device_id));
  const missing = things.filter((t) => !have.has(t.deviceId));
  for (const batch of chunks(missing)) {
    const r = await call('POST', '/iot/devices', { devices: batch.map(deviceOf) }, tenant);
    if (r.status !== 201) return { ok: false, problem: refused('POST /iot/devices', r.status, r.json) };
  }
  return { ok: true, value: missing.length };
}

/**
 * Provisions what is missing of the city: entities (with readings at `m`, and those created with the `historyHours`
 * before it) through `api.ngsi`, then config groups and devices through `api.iot` when the IoT agent runs.
 */
export async function provisionCity(
  api: { ngsi: Call; iot?: Call },
  tenant: string | undefined,
  things: readonly Thing[],
  m: Moment,
  historyHours = 0,
): Promise<Result<ProvisionReport>> {
  const entities = await createEntities(api.ngsi, tenant, [...zonesOf(things), ...things.map((t) => entityOf(t, m))]);
  if (!entities.ok) return entities;
  const created = things.filter((t) => entities.value.has(t.entityId));
  const history = await writeHistory(api.ngsi, tenant, created, m.at, historyHours, m.seed);
  if (!history.ok) return history;
  const report = { entities: entities.value.size, history: history.value };
  if (!api.iot) return { ok: true, value: { ...report, groups: 0, devices: 0 } };
  const groups = await createGroups(api.iot, tenant);
  if (!groups.ok) return groups;
  const devices = await createDevices(api.iot, tenant, things);
  if (!devices.ok) return devices;
  return { ok: true, value: { ...report, groups: groups.value, devices: devices.value } };
}
