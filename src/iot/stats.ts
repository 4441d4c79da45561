/**
 * What each device sent, counted in this process: observations written and measures rejected by reason (the
 * southbound names of the error catalogue). Devices are counted by API key and id, provisioned or not, so that an
 * operator sees the unknown ones knocking too. At most MAX_DEVICES are kept (the least recently active go first),
 * so that a flood of invented ids cannot grow memory.
 */
import type { IotError, IotErrorName } from '../core/problem.js';

const MAX_DEVICES = 10_000;

export interface DeviceCounters {
  apikey: string;
  device_id: string;
  /** The tenant ("service") of the device, once known. */
  service?: string;
  /** Observations (measure groups) written. */
  measures: number;
  /** Rejected measures or messages, by reason. */
  rejected: Partial<Record<IotErrorName, number>>;
  lastMeasureAt?: string;
  lastError?: { name: IotErrorName; message: string; at: string };
}

export class DeviceStats {
  readonly #devices = new Map<string, DeviceCounters>();
  #measures = 0;
  #rejected = 0;

  #entry(apikey: string, deviceId: string, tenant?: string): DeviceCounters {
    const key = `${apikey}\n${deviceId}`;
    let c = this.#devices.get(key);
    if (c) this.#devices.delete(key);
    else {
      if (this.#devices.size >= MAX_DEVICES) this.#devices.delete(this.#devices.keys().next().value as string);
      c = { apikey, device_id: deviceId, measures: 0, rejected: {} };
    }
    if (tenant !== undefined) c.service = tenant;
    this.#devices.set(key, c);
    return c;
  }

  written(apikey: string, deviceId: string, tenant: string, observations: number, at: string): void {
    const c = this.#entry(apikey, deviceId, tenant);
    c.measures += observations;
    c.lastMeasureAt = at;
    this.#measures += observations;
  }

  rejected(apikey: string, deviceId: string, tenant: string | undefined, e: IotError, at: string): void {
    const c = this.#entry(apikey, deviceId, tenant);
    c.rejected[e.name] = (c.rejected[e.name] ?? 0) + 1;
    c.lastError = { name: e.name, message: e.message, at };
    this.#rejected += 1;
  }

  get(apikey: string, deviceId: string): DeviceCounters | undefined {
    return this.#devices.get(`${apikey}\n${deviceId}`);
  }

  /** The devices of a tenant; with `unknown`, also those whose tenant is not known (unknown API keys). */
  list(tenant: string, unknown: boolean): DeviceCounters[] {
    return [...this.#devices.values()].filter((c) => c.service === tenant || (unknown && c.service === undefined));
  }

  get totals(): { measures: number; rejected: number } {
    return { measures: this.#measures, rejected: this.#rejected };
  }
}
