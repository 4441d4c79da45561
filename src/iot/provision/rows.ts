/**
 * Provisioning documents as the store keeps them (store/port.ts IotServiceRow, IotDeviceRow) and as the API
 * answers them (the document with FIWARE's `service`, `subservice` / `service_path` added).
 */
import { isUri } from '../../core/entity/uri.js';
import { iotFail, type IotResult } from '../../core/problem.js';
import type { IotDeviceRow, IotServiceRow } from '../../store/port.js';
import { entityIdOf, type IotDevice, type IotGroup } from '../model.js';
import { asDevice, asGroup } from '../registry.js';

const names = (commands: IotGroup['commands']) => (commands ?? []).map((c) => c.name);

export function groupRow(tenant: string, servicePath: string, g: IotGroup): IotServiceRow {
  return { tenant, servicePath, resource: g.resource, apikey: g.apikey, commands: names(g.commands), doc: { ...g } };
}

/**
 * The group a device belongs to among its tenant's: the one of its API key, else (provisioned without one) the one of
 * its entity type, else the only one.
 */
export function groupFor(d: IotDevice, groups: readonly IotServiceRow[]): IotServiceRow | undefined {
  if (d.apikey !== undefined) return groups.find((g) => g.apikey === d.apikey);
  return groups.find((g) => d.entity_type !== undefined && asGroup(g).entity_type === d.entity_type) ?? (groups.length === 1 ? groups[0] : undefined);
}

export function deviceRow(tenant: string, servicePath: string, d: IotDevice, group: IotServiceRow | undefined): IotResult<IotDeviceRow> {
  const entityId = entityIdOf(d, group && asGroup(group));
  if (!isUri(entityId)) return iotFail('WRONG_SYNTAX', `Device ${d.device_id} would update entity ${entityId}, which is not a URI`);
  const row: IotDeviceRow = { tenant, servicePath, deviceId: d.device_id, entityId, commands: names(d.commands), doc: { ...d } };
  const apikey = d.apikey ?? group?.apikey;
  if (apikey !== undefined) row.apikey = apikey;
  return { ok: true, value: row };
}

export function renderGroup(r: IotServiceRow): Record<string, unknown> {
  return { ...r.doc, service: r.tenant, subservice: r.servicePath };
}

export function renderDevice(r: IotDeviceRow): Record<string, unknown> {
  const d = asDevice(r);
  return { ...d, apikey: r.apikey, entity_name: r.entityId, service: r.tenant, service_path: r.servicePath };
}
