/**
 * The IoT agent's provisioning rows (migrations/006-iot.ts explains the tables): config groups and devices kept
 * whole as documents, with the keys the agent selects on beside them. The documents are src/iot's business; the
 * store only keeps them.
 */
import type { IotDeviceRow, IotPage, IotServiceRow, IotStore, SqlClient, SqlQueryable } from '../port.js';

interface ServiceRecord {
  tenant: string;
  service_path: string;
  resource: string;
  apikey: string;
  commands: string[];
  doc: Record<string, unknown>;
}

interface DeviceRecord {
  tenant: string;
  service_path: string;
  device_id: string;
  apikey: string | null;
  entity_id: string;
  commands: string[];
  doc: Record<string, unknown>;
}

const toService = (r: ServiceRecord): IotServiceRow => ({
  tenant: r.tenant,
  servicePath: r.service_path,
  resource: r.resource,
  apikey: r.apikey,
  commands: r.commands,
  doc: r.doc,
});

function toDevice(r: DeviceRecord): IotDeviceRow {
  const d: IotDeviceRow = { tenant: r.tenant, servicePath: r.service_path, deviceId: r.device_id, entityId: r.entity_id, commands: r.commands, doc: r.doc };
  if (r.apikey !== null) d.apikey = r.apikey;
  return d;
}

const SERVICE_COLUMNS = 'tenant, service_path, resource, apikey, commands, doc';
const DEVICE_COLUMNS = 'tenant, service_path, device_id, apikey, entity_id, commands, doc';

const serviceValues = (r: IotServiceRow) => [r.tenant, r.servicePath, r.resource, r.apikey, r.commands, JSON.stringify(r.doc)];
const deviceValues = (r: IotDeviceRow) => [r.tenant, r.servicePath, r.deviceId, r.apikey ?? null, r.entityId, r.commands, JSON.stringify(r.doc)];

/** `AND service_path = $n` when a service path is given (FIWARE's `/*` and no header select them all). */
function pathFilter(servicePath: string | undefined, params: unknown[]): string {
  if (servicePath === undefined) return '';
  params.push(servicePath);
  return ` AND service_path = $${params.length}`;
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (e: unknown) => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === UNIQUE_VIOLATION;

/** A rollback that carries the row which made a multi-row insert fail. */
class Duplicate<T> extends Error {
  constructor(readonly row: T) {
    super('duplicate');
  }
}

export class SqlIotStore implements IotStore {
  constructor(private readonly db: SqlClient) {}

  async createServices(rows: readonly IotServiceRow[]): Promise<{ duplicate?: IotServiceRow }> {
    try {
      await this.db.transaction(async (sql) => {
        for (const r of rows) {
          const inserted = await sql.query(
            `INSERT INTO iot_services (${SERVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5::text[], $6::jsonb) ON CONFLICT DO NOTHING RETURNING apikey`,
            serviceValues(r),
          );
          if (inserted.length === 0) throw new Duplicate(r);
        }
      });
      return {};
    } catch (e) {
      if (e instanceof Duplicate) return { duplicate: e.row as IotServiceRow };
      throw e;
    }
  }

  async listServices(tenant: string, servicePath: string | undefined, page: { limit: number; offset: number }): Promise<IotPage<IotServiceRow>> {
    const params: unknown[] = [tenant];
    const where = `tenant = $1${pathFilter(servicePath, params)}`;
    return this.page<ServiceRecord, IotServiceRow>('iot_services', SERVICE_COLUMNS, where, 'resource, apikey', params, page, toService);
  }

  async updateService(
    tenant: string,
    servicePath: string | undefined,
    key: { resource: string; apikey: string },
    change: (r: IotServiceRow) => IotServiceRow,
  ): Promise<IotServiceRow | undefined> {
    return this.db.transaction(async (sql) => {
      const params: unknown[] = [tenant, key.resource, key.apikey];
      const rows = await sql.query<ServiceRecord>(
        `SELECT ${SERVICE_COLUMNS} FROM iot_services WHERE tenant = $1 AND resource = $2 AND apikey = $3${pathFilter(servicePath, params)} FOR UPDATE`,
        params,
      );
      if (rows.length === 0) return undefined;
      const next = change(toService(rows[0]));
      await sql.query('UPDATE iot_services SET commands = $3::text[], doc = $4::jsonb WHERE resource = $1 AND apikey = $2', [
        key.resource,
        key.apikey,
        next.commands,
        JSON.stringify(next.doc),
      ]);
      return next;
    });
  }

  async deleteService(tenant: string, servicePath: string | undefined, key: { resource: string; apikey: string }): Promise<boolean> {
    const params: unknown[] = [tenant, key.resource, key.apikey];
    const rows = await this.db.query(
      `DELETE FROM iot_services WHERE tenant = $1 AND resource = $2 AND apikey = $3${pathFilter(servicePath, params)} RETURNING apikey`,
      params,
    );
    return rows.length > 0;
  }

  async servicesByApikey(apikey: string): Promise<IotServiceRow[]> {
    const rows = await this.db.query<ServiceRecord>(`SELECT ${SERVICE_COLUMNS} FROM iot_services WHERE apikey = $1 ORDER BY resource`, [apikey]);
    return rows.map(toService);
  }

  async createDevices(rows: readonly IotDeviceRow[]): Promise<{ duplicate?: IotDeviceRow }> {
    try {
      await this.db.transaction(async (sql) => {
        for (const r of rows) if (!(await insertDevice(sql, r))) throw new Duplicate(r);
      });
      return {};
    } catch (e) {
      if (e instanceof Duplicate) return { duplicate: e.row as IotDeviceRow };
      throw e;
    }
  }

  async ensureDevice(row: IotDeviceRow): Promise<IotDeviceRow | undefined> {
    if (await insertDevice(this.db, row)) return row;
    return (await this.getDevice(row.tenant, undefined, row.deviceId)) ?? (row.apikey === undefined ? undefined : this.deviceByApikey(row.apikey, row.deviceId));
  }

  async listDevices(tenant: string, servicePath: string | undefined, page: { limit: number; offset: number }): Promise<IotPage<IotDeviceRow>> {
    const params: unknown[] = [tenant];
    const where = `tenant = $1${pathFilter(servicePath, params)}`;
    return this.page<DeviceRecord, IotDeviceRow>('iot_devices', DEVICE_COLUMNS, where, 'device_id', params, page, toDevice);
  }

  async getDevice(tenant: string, servicePath: string | undefined, deviceId: string): Promise<IotDeviceRow | undefined> {
    const params: unknown[] = [tenant, deviceId];
    const rows = await this.db.query<DeviceRecord>(
      `SELECT ${DEVICE_COLUMNS} FROM iot_devices WHERE tenant = $1 AND device_id = $2${pathFilter(servicePath, params)}`,
      params,
    );
    return rows[0] && toDevice(rows[0]);
  }

  async updateDevice(
    tenant: string,
    servicePath: string | undefined,
    deviceId: string,
    change: (r: IotDeviceRow) => IotDeviceRow,
  ): Promise<IotDeviceRow | 'conflict' | undefined> {
    try {
      return await this.db.transaction(async (sql) => {
        const params: unknown[] = [tenant, deviceId];
        const rows = await sql.query<DeviceRecord>(
          `SELECT ${DEVICE_COLUMNS} FROM iot_devices WHERE tenant = $1 AND device_id = $2${pathFilter(servicePath, params)} FOR UPDATE`,
          params,
        );
        if (rows.length === 0) return undefined;
        const next = change(toDevice(rows[0]));
        await sql.query(
          'UPDATE iot_devices SET apikey = $3, entity_id = $4, commands = $5::text[], doc = $6::jsonb WHERE tenant = $1 AND device_id = $2',
          [tenant, deviceId, next.apikey ?? null, next.entityId, next.commands, JSON.stringify(next.doc)],
        );
        return next;
      });
    } catch (e) {
      if (isUniqueViolation(e)) return 'conflict';
      throw e;
    }
  }

  async deleteDevice(tenant: string, servicePath: string | undefined, deviceId: string): Promise<boolean> {
    const params: unknown[] = [tenant, deviceId];
    const rows = await this.db.query(`DELETE FROM iot_devices WHERE tenant = $1 AND device_id = $2${pathFilter(servicePath, params)} RETURNING device_id`, params);
    return rows.length > 0;
  }

  async deviceByApikey(apikey: string, deviceId: string): Promise<IotDeviceRow | undefined> {
    const rows = await this.db.query<DeviceRecord>(`SELECT ${DEVICE_COLUMNS} FROM iot_devices WHERE apikey = $1 AND device_id = $2`, [apikey, deviceId]);
    return rows[0] && toDevice(rows[0]);
  }

  async devicesByEntity(tenant: string, entityId: string): Promise<IotDeviceRow[]> {
    const rows = await this.db.query<DeviceRecord>(`SELECT ${DEVICE_COLUMNS} FROM iot_devices WHERE tenant = $1 AND entity_id = $2 ORDER BY device_id`, [
      tenant,
      entityId,
    ]);
    return rows.map(toDevice);
  }

  async commandNames(): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      'SELECT unnest(commands) AS name FROM iot_devices UNION SELECT unnest(commands) AS name FROM iot_services',
    );
    return rows.map((r) => r.name);
  }

  private async page<R, T>(
    table: string,
    columns: string,
    where: string,
    order: string,
    params: unknown[],
    page: { limit: number; offset: number },
    to: (r: R) => T,
  ): Promise<IotPage<T>> {
    const n = params.length;
    const rows = await this.db.query<R>(`SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`, [
      ...params,
      page.limit,
      page.offset,
    ]);
    const [{ count }] = await this.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table} WHERE ${where}`, params);
    return { count: Number(count), items: rows.map(to) };
  }
}

/** Inserts one device; false when its id (in its tenant) or its API key and id are taken. */
async function insertDevice(sql: SqlQueryable, r: IotDeviceRow): Promise<boolean> {
  const inserted = await sql.query(
    `INSERT INTO iot_devices (${DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::text[], $7::jsonb) ON CONFLICT DO NOTHING RETURNING device_id`,
    deviceValues(r),
  );
  return inserted.length > 0;
}
