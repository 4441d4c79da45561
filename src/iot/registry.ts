/**
 * Which device a measure is from: the API key and device id it arrives with, resolved against the provisioning
 * (store/iot) into the device with its group's defaults. Measures arrive thousands a second from a few devices, so
 * answers (found or not) are kept for TTL_MS: provisioning changes made through this process apply at once (the
 * cache is dropped), those made through another process sharing the database within TTL_MS.
 *
 * An unknown device of a known API key is autoprovisioned (FIWARE's default) unless its group says
 * `autoprovision: false` or MIMOSA_IOT_AUTOPROVISION is off; a device provisioned without an API key takes the
 * key its measures arrive with, from a group of its tenant.
 */
import { isUri } from '../core/entity/uri.js';
import { iotFail, type IotResult } from '../core/problem.js';
import type { IotDeviceRow, IotServiceRow, IotStore } from '../store/port.js';
import { effectiveDevice, entityIdOf, type EffectiveDevice, type IotDevice, type IotGroup } from './model.js';

const TTL_MS = 5000;

interface Cached {
  at: number;
  answer: Promise<IotResult<EffectiveDevice>>;
}

export const asGroup = (r: IotServiceRow) => r.doc as unknown as IotGroup;
export const asDevice = (r: IotDeviceRow) => r.doc as unknown as IotDevice;

/** The group of a device row: one of its tenant with its API key, preferring its service path. */
function groupOf(row: IotDeviceRow, groups: readonly IotServiceRow[]): IotServiceRow | undefined {
  const mine = groups.filter((g) => g.tenant === row.tenant);
  return mine.find((g) => g.servicePath === row.servicePath) ?? mine[0];
}

export class DeviceRegistry {
  readonly #cache = new Map<string, Cached>();

  constructor(
    private readonly store: IotStore,
    private readonly autoprovision: boolean,
  ) {}

  /** Forgets every answer (after a provisioning change). */
  invalidate(): void {
    this.#cache.clear();
  }

  resolve(apikey: string, deviceId: string): Promise<IotResult<EffectiveDevice>> {
    const key = `${apikey}\n${deviceId}`;
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < TTL_MS) return hit.answer;
    if (this.#cache.size > 100_000) this.#cache.clear();
    const answer = this.#lookup(apikey, deviceId);
    this.#cache.set(key, { at: now, answer });
    answer.catch(() => this.#cache.delete(key));
    return answer;
  }

  async #lookup(apikey: string, deviceId: string): Promise<IotResult<EffectiveDevice>> {
    const groups = await this.store.servicesByApikey(apikey);
    let row = await this.store.deviceByApikey(apikey, deviceId);
    // provisioned without an API key in a tenant that has a group with this one
    for (const g of groups) {
      if (row) break;
      const candidate = await this.store.getDevice(g.tenant, undefined, deviceId);
      if (candidate && candidate.apikey === undefined) row = candidate;
    }
    if (row) {
      const g = groupOf(row, groups);
      return { ok: true, value: effectiveDevice(row.tenant, row.servicePath, apikey, asDevice(row), g && asGroup(g)) };
    }
    if (groups.length === 0) return iotFail('DEVICE_GROUP_NOT_FOUND', `No config group has API key ${apikey}`);
    const g = groups[0];
    const group = asGroup(g);
    if (!(group.autoprovision ?? this.autoprovision)) {
      return iotFail('DEVICE_NOT_FOUND', `Device ${deviceId} is not provisioned and its group does not autoprovision`);
    }
    const device: IotDevice = { device_id: deviceId };
    const entityId = entityIdOf(device, group);
    if (!isUri(entityId)) return iotFail('DEVICE_NOT_FOUND', `Device ${deviceId} cannot be autoprovisioned: ${entityId} is not a URI`);
    const stored = await this.store.ensureDevice({ tenant: g.tenant, servicePath: g.servicePath, deviceId, apikey, entityId, commands: [], doc: { ...device } });
    if (!stored) return iotFail('DEVICE_NOT_FOUND', `Device ${deviceId} cannot be autoprovisioned`);
    const owner = groupOf(stored, groups) ?? g;
    return { ok: true, value: effectiveDevice(stored.tenant, stored.servicePath, apikey, asDevice(stored), asGroup(owner)) };
  }

  /** The devices whose measures update this entity, with their groups (for commands). */
  async byEntity(tenant: string, entityId: string): Promise<EffectiveDevice[]> {
    const out: EffectiveDevice[] = [];
    for (const row of await this.store.devicesByEntity(tenant, entityId)) {
      if (row.apikey === undefined) continue;
      const g = groupOf(row, await this.store.servicesByApikey(row.apikey));
      out.push(effectiveDevice(row.tenant, row.servicePath, row.apikey, asDevice(row), g && asGroup(g)));
    }
    return out;
  }
}
