/**
 * The provisioning API of the FIWARE IoT Agents (iotagent-node-lib "API Routes"), with their status codes and
 * error names: config groups at /iot/services (/iot/configGroups too) and devices at /iot/devices. Everything is
 * kept in the database (store/iot) and scoped by tenant (Fiware-Service) and service path.
 */
import type { FastifyInstance } from 'fastify';
import type { IotDeviceRow, IotStore } from '../../store/port.js';
import type { IotAgent } from '../agent.js';
import { effectiveDevice, type IotDevice, type IotGroup } from '../model.js';
import { parseDeviceChanges, parseDevices, parseGroupChanges, parseGroups } from '../provision/parse.js';
import { deviceRow, groupFor, groupRow, renderDevice, renderGroup } from '../provision/rows.js';
import { asDevice, asGroup } from '../registry.js';
import { count, fail, jsonBody, scopeOf, unwrap } from './edge.js';

const MAX_PAGE = 10_000;

function page(q: Record<string, unknown>) {
  return { limit: count(q.limit, 'limit', 1000, MAX_PAGE), offset: count(q.offset, 'offset', 0, 1_000_000_000) };
}

function groupKey(q: Record<string, unknown>): { resource: string; apikey: string } {
  const missing = ['resource', 'apikey'].filter((k) => typeof q[k] !== 'string');
  if (missing.length > 0) fail('MISSING_CONFIG_PARAMS', `The following mandatory configuration parameters were missing: ${JSON.stringify(missing)}`);
  return { resource: q.resource as string, apikey: q.apikey as string };
}

export function provisioningRoutes(app: FastifyInstance, agent: IotAgent, store: IotStore): void {
  for (const path of ['/iot/services', '/iot/configGroups']) groupRoutes(app, agent, store, path);
  deviceRoutes(app, agent, store);
}

function groupRoutes(app: FastifyInstance, agent: IotAgent, store: IotStore, path: string): void {
  // Implements FIWARE IoT Agent API: Create config group (201, 409 DUPLICATE_GROUP).
  app.post(path, async (req, reply) => {
    const s = scopeOf(req);
    const groups = unwrap(parseGroups(jsonBody(req.body)));
    const r = await store.createServices(groups.map((g) => groupRow(s.tenant, s.servicePath, g)));
    if (r.duplicate) fail('DUPLICATE_GROUP', `A device configuration already exists for resource ${r.duplicate.resource} and API Key ${r.duplicate.apikey}`);
    agent.provisioned();
    return reply.code(201).send({});
  });

  // Implements FIWARE IoT Agent API: Retrieve config groups.
  app.get(path, async (req, reply) => {
    const s = scopeOf(req);
    const r = await store.listServices(s.tenant, s.selectPath, page(req.query as Record<string, unknown>));
    return reply.send({ count: r.count, [path.endsWith('configGroups') ? 'configGroups' : 'services']: r.items.map(renderGroup) });
  });

  // Implements FIWARE IoT Agent API: Modify config group (?resource=&apikey=; 204, 404 DEVICE_GROUP_NOT_FOUND).
  app.put(path, async (req, reply) => {
    const s = scopeOf(req);
    const key = groupKey(req.query as Record<string, unknown>);
    const changes = unwrap(parseGroupChanges(jsonBody(req.body)));
    for (const k of ['resource', 'apikey'] as const) {
      if (changes[k] !== undefined && changes[k] !== key[k]) fail('BAD_REQUEST', `The ${k} of a config group cannot be changed`);
    }
    const updated = await store.updateService(s.tenant, s.selectPath, key, (row) => groupRow(row.tenant, row.servicePath, { ...asGroup(row), ...changes } as IotGroup));
    if (!updated) fail('DEVICE_GROUP_NOT_FOUND', `Couldn't find device group for fields: resource,apikey and values: ${key.resource},${key.apikey}`);
    agent.provisioned();
    return reply.code(204).send();
  });

  // Implements FIWARE IoT Agent API: Remove config group (?resource=&apikey=; 204, 404 DEVICE_GROUP_NOT_FOUND).
  app.delete(path, async (req, reply) => {
    const s = scopeOf(req);
    const q = req.query as Record<string, unknown>;
    const key = groupKey(q);
    if (q.device !== undefined && q.device !== 'false') fail('BAD_REQUEST', 'Removing the devices of a config group with it (device=true) is not supported');
    if (!(await store.deleteService(s.tenant, s.selectPath, key))) {
      fail('DEVICE_GROUP_NOT_FOUND', `Couldn't find device group for fields: resource,apikey and values: ${key.resource},${key.apikey}`);
    }
    agent.provisioned();
    return reply.code(204).send();
  });
}

function deviceRoutes(app: FastifyInstance, agent: IotAgent, store: IotStore): void {
  const notFound = (id: string): never => fail('DEVICE_NOT_FOUND', `No device was found with id:${id}`);

  /** Creates the entity of a device with commands, so that clients can send them before its first measure. */
  const withCommands = async (row: IotDeviceRow): Promise<void> => {
    if (row.apikey === undefined) return;
    const group = (await store.servicesByApikey(row.apikey)).find((g) => g.tenant === row.tenant);
    const d = effectiveDevice(row.tenant, row.servicePath, row.apikey, asDevice(row), group && asGroup(group));
    if (d.commands.length > 0) await agent.ensureEntity(d);
  };

  // Implements FIWARE IoT Agent API: Create device (201, 409 DUPLICATE_DEVICE_ID).
  app.post('/iot/devices', async (req, reply) => {
    const s = scopeOf(req);
    const devices = unwrap(parseDevices(jsonBody(req.body)));
    const groups = (await store.listServices(s.tenant, undefined, { limit: MAX_PAGE, offset: 0 })).items;
    const local = groups.filter((g) => g.servicePath === s.servicePath);
    const rows = devices.map((d) => unwrap(deviceRow(s.tenant, s.servicePath, d, groupFor(d, local.length > 0 ? local : groups))));
    const r = await store.createDevices(rows);
    if (r.duplicate) fail('DUPLICATE_DEVICE_ID', `A device with the same pair (Service, DeviceId) was found:${r.duplicate.deviceId}`);
    agent.provisioned();
    for (const row of rows) await withCommands(row);
    return reply.code(201).send({});
  });

  // Implements FIWARE IoT Agent API: Retrieve devices (?limit=&offset=).
  app.get('/iot/devices', async (req, reply) => {
    const s = scopeOf(req);
    const r = await store.listDevices(s.tenant, s.selectPath, page(req.query as Record<string, unknown>));
    return reply.send({ count: r.count, devices: r.items.map(renderDevice) });
  });

  // Implements FIWARE IoT Agent API: Get device details (with Mimosa's counters of its measures, `stats`).
  app.get<{ Params: { deviceId: string } }>('/iot/devices/:deviceId', async (req, reply) => {
    const s = scopeOf(req);
    const row = (await store.getDevice(s.tenant, s.selectPath, req.params.deviceId)) ?? notFound(req.params.deviceId);
    const stats = row.apikey === undefined ? undefined : agent.stats.get(row.apikey, row.deviceId);
    return reply.send({ ...renderDevice(row), stats: stats ?? { measures: 0, rejected: {} } });
  });

  // Implements FIWARE IoT Agent API: Modify device (204, 404 DEVICE_NOT_FOUND, 409 when its new API key is taken).
  app.put<{ Params: { deviceId: string } }>('/iot/devices/:deviceId', async (req, reply) => {
    const s = scopeOf(req);
    const changes = unwrap(parseDeviceChanges(jsonBody(req.body)));
    const groups = (await store.listServices(s.tenant, undefined, { limit: MAX_PAGE, offset: 0 })).items;
    const updated = await store.updateDevice(s.tenant, s.selectPath, req.params.deviceId, (row) => {
      const d = { ...asDevice(row), ...changes } as IotDevice;
      const next = unwrap(deviceRow(row.tenant, row.servicePath, d, groupFor(d, groups)));
      // keep the API key it had unless one is given or a group now gives one
      return next.apikey === undefined && row.apikey !== undefined ? { ...next, apikey: row.apikey } : next;
    });
    if (updated === 'conflict') fail('DUPLICATE_DEVICE_ID', `A device with the same API key and id exists:${req.params.deviceId}`);
    agent.provisioned();
    await withCommands(updated ?? notFound(req.params.deviceId));
    return reply.code(204).send();
  });

  // Implements FIWARE IoT Agent API: Remove device (204, 404 DEVICE_NOT_FOUND); its entity stays.
  app.delete<{ Params: { deviceId: string } }>('/iot/devices/:deviceId', async (req, reply) => {
    const s = scopeOf(req);
    if (!(await store.deleteDevice(s.tenant, s.selectPath, req.params.deviceId))) notFound(req.params.deviceId);
    agent.provisioned();
    return reply.code(204).send();
  });
}
