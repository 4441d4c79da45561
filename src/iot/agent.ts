/**
 * The IoT agent: measures from devices (MQTT and HTTP) become NGSI-LD attribute updates of their entities, and
 * NGSI-LD updates of command attributes become commands to the devices. Bad device input (an unknown API key, an
 * unknown device when autoprovisioning is off, a payload its codec cannot read, a value of the wrong type) is
 * refused and counted per device (src/iot/stats.ts); it never throws out of the agent and never holds another
 * device's measures, which wait in their own batch (src/iot/measures/writer.ts).
 */
import { builtInContext } from '../core/context/core-contexts.js';
import { compileContext } from '../core/context/termmap.js';
import type { Attribute } from '../core/entity/model.js';
import { appendAttributes } from '../core/entity/ops.js';
import { iotFail, type IotError, type IotResult } from '../core/problem.js';
import type { Store } from '../store/port.js';
import { parseJsonMeasures, parseJsonResult, jsonValue } from './codecs/json.js';
import type { Observation } from './codecs/observation.js';
import { parseUltralight, parseUltralightResult } from './codecs/ultralight.js';
import { changedAttributes, commandMessage, commandValue, CommandNames, observeWrites, type Updated } from './commands.js';
import { infoName, mapObservation, newEntity, statusName, type Expand } from './measures/map.js';
import { BatchWriter } from './measures/writer.js';
import { speaksJson, type AttributeMapping, type EffectiveDevice } from './model.js';
import { parseTopic, type PayloadFormat } from './mqtt/topics.js';
import type { MqttTransport } from './mqtt/transport.js';
import { DeviceRegistry } from './registry.js';
import { DeviceStats } from './stats.js';

export interface Log {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface IotAgentOptions {
  /** The store as the agent writes (not the one the API writes through, which observes commands). */
  store: Store;
  /** The MQTT side; none: HTTP only. */
  transport?: MqttTransport;
  /** Whether unknown devices of a known API key are provisioned by their first measure (MIMOSA_IOT_AUTOPROVISION). */
  autoprovision: boolean;
  log: Log;
  now?: () => string;
}

/** Where measures come from and how they are written. */
export interface Incoming {
  apikey: string;
  deviceId: string;
  payload: string;
  /** The codec; sniffed from the payload when absent (`{` or `[`: JSON, else Ultralight). */
  format?: PayloadFormat;
  /** A single measure of this name (MQTT `…/attrs/<attr>`). */
  attr?: string;
  /** A timestamp for observations that carry none (HTTP `t`). */
  observedAt?: string;
}

/** Largest payload read (MQTT packets and HTTP bodies are bounded before, this bounds the work per message). */
const MAX_PAYLOAD = 1024 * 1024;

type EntityAttrs = Record<string, Attribute>;

const sniff = (payload: string): PayloadFormat => (/^\s*[[{]/.test(payload) ? 'json' : 'ul');

export class IotAgent {
  readonly registry: DeviceRegistry;
  readonly stats = new DeviceStats();
  readonly #writer: BatchWriter;
  readonly #commands: CommandNames;
  readonly #now: () => string;
  #expand: Expand = (t) => t;

  constructor(private readonly o: IotAgentOptions) {
    this.#now = o.now ?? (() => new Date().toISOString());
    this.registry = new DeviceRegistry(o.store.iot, o.autoprovision);
    this.#writer = new BatchWriter(o.store, this.#now, (err) => o.log.error({ err }, 'IoT agent: a measure write failed'));
    this.#commands = new CommandNames(o.store.iot, () => this.#expand);
  }

  /** Expands attribute and type names with the core context (device mappings name core-context terms or IRIs). */
  get expand(): Expand {
    return this.#expand;
  }

  /** Where devices connect over MQTT, and whether their messages arrive now. */
  get mqtt(): { url: string; connected: boolean } | undefined {
    const t = this.o.transport;
    return t?.url === undefined ? undefined : { url: t.url, connected: t.connected };
  }

  /** The batch writer's load: writes waiting, written, and the transactions they took. */
  get writes(): { queued: number; written: number; transactions: number } {
    const w = this.#writer;
    return { queued: w.queued, written: w.written, transactions: w.transactions };
  }

  async start(): Promise<void> {
    const tm = await compileContext([], async (url) => builtInContext(url));
    this.#expand = (t) => tm.expand(t);
    await this.#commands.refresh();
    const t = this.o.transport;
    if (!t) return;
    await t.start((topic, payload) => this.#onMessage(topic, payload));
    if (t.url !== undefined) this.o.log.info({ mqtt: t.url }, 'IoT agent: receiving device measures over MQTT');
  }

  async stop(): Promise<void> {
    await this.o.transport?.stop();
    await this.#writer.drain();
  }

  /** After a provisioning change: forget cached devices and command names. */
  provisioned(): void {
    this.registry.invalidate();
    void this.#commands.refresh().catch((err: unknown) => this.o.log.error({ err }, 'IoT agent: cannot read command names'));
  }

  /** The store for the NGSI-LD API: the same, with command attributes' updates sent to their devices. */
  observe(store: Store): Store {
    return observeWrites(store, (tenant, updated) => {
      this.#onUpdated(tenant, updated).catch((err: unknown) => this.o.log.error({ err }, 'IoT agent: a command could not be handled'));
    });
  }

  #onMessage(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t) return;
    const text = payload.toString('utf8');
    const done = t.kind === 'cmdexe' ? this.commandResult(t.apikey, t.deviceId, text, t.format) : this.measure({ ...t, payload: text });
    done.catch((err: unknown) => this.o.log.error({ err, topic }, 'IoT agent: a message could not be handled'));
  }

  #reject(apikey: string, deviceId: string, tenant: string | undefined, e: IotError): { ok: false; error: IotError } {
    this.stats.rejected(apikey, deviceId, tenant, e, this.#now());
    return { ok: false, error: e };
  }

  /** Southbound: one message of measures; resolves with the observations written once they committed. */
  async measure(m: Incoming): Promise<IotResult<number>> {
    const found = await this.registry.resolve(m.apikey, m.deviceId);
    if (!found.ok) return this.#reject(m.apikey, m.deviceId, undefined, found.error);
    const d = found.value;
    const decoded = this.#decode(d, m);
    if (!decoded.ok) return this.#reject(m.apikey, m.deviceId, d.tenant, decoded.error);
    const receivedAt = this.#now();
    const writes: Array<Promise<IotError | undefined>> = [];
    let refused: IotError | undefined;
    for (const obs of decoded.value) {
      const mapped = mapObservation(d, { ...obs, observedAt: obs.observedAt ?? m.observedAt }, receivedAt, this.#expand);
      for (const e of mapped.rejected) refused = this.#reject(m.apikey, m.deviceId, d.tenant, e).error;
      if (Object.keys(mapped.attrs).length > 0) writes.push(this.#write(d, mapped.attrs));
    }
    let written = 0;
    let failed: IotError | undefined;
    for (const e of await Promise.all(writes)) {
      if (e) failed ??= this.#reject(m.apikey, m.deviceId, d.tenant, e).error;
      else written++;
    }
    if (written > 0) this.stats.written(m.apikey, m.deviceId, d.tenant, written, receivedAt);
    if (written === 0 && (failed ?? refused)) return { ok: false, error: (failed ?? refused) as IotError };
    return { ok: true, value: written };
  }

  #decode(d: EffectiveDevice, m: Incoming): IotResult<Observation[]> {
    if (m.payload.length > MAX_PAYLOAD) return iotFail('MALFORMED_PAYLOAD', `Payload is larger than ${MAX_PAYLOAD} bytes`);
    if (m.attr !== undefined) {
      const json = (m.format ?? (speaksJson(d) ? 'json' : 'ul')) === 'json';
      return { ok: true, value: [{ measures: [{ key: m.attr, value: json ? jsonValue(m.payload) : m.payload.trim() }] }] };
    }
    return (m.format ?? sniff(m.payload)) === 'json' ? parseJsonMeasures(m.payload) : parseUltralight(m.payload);
  }

  /** Queues one observation's attributes; resolves once committed (undefined) or with why not. */
  #write(d: EffectiveDevice, attrs: EntityAttrs): Promise<IotError | undefined> {
    return new Promise((resolve) => {
      const queued = this.#writer.submit({
        tenant: d.tenant,
        entityId: d.entityId,
        attrs,
        create: () => newEntity(d, this.#expand, this.#now()),
        done: (err) => resolve(err ? { name: 'INTERNAL_ERROR', message: 'The measure could not be stored' } : undefined),
      });
      if (!queued) resolve({ name: 'OVERLOADED', message: 'Too many measures are waiting to be written' });
    });
  }

  /**
   * Creates a device's entity (type, static attributes, commands with their status and info) unless it exists, and
   * adds to an existing one the attributes it lacks: provisioning a device with commands makes them usable at once.
   */
  async ensureEntity(d: EffectiveDevice): Promise<void> {
    const now = this.#now();
    const fresh = newEntity(d, this.#expand, now);
    await this.o.store.write(d.tenant, async (tx) => {
      const current = (await tx.getForUpdate([d.entityId])).get(d.entityId);
      if (!current) {
        await tx.insert([fresh]);
        return;
      }
      const r = appendAttributes(current, fresh.attrs, { noOverwrite: true, now });
      if (r.updated.length > 0) await tx.update([r.entity]);
    });
  }

  /** Southbound: a device's answer to a command (`/cmdexe`). */
  async commandResult(apikey: string, deviceId: string, payload: string, format?: PayloadFormat): Promise<IotResult<void>> {
    const found = await this.registry.resolve(apikey, deviceId);
    if (!found.ok) return this.#reject(apikey, deviceId, undefined, found.error);
    const d = found.value;
    const parsed = (format ?? sniff(payload)) === 'json' ? parseJsonResult(payload) : parseUltralightResult(payload);
    if (!parsed.ok) return this.#reject(apikey, deviceId, d.tenant, parsed.error);
    const c = d.commands.find((x) => (x.object_id ?? x.name) === parsed.value.command) ?? d.commands.find((x) => x.name === parsed.value.command);
    if (!c) return this.#reject(apikey, deviceId, d.tenant, { name: 'MALFORMED_PAYLOAD', message: `Device ${deviceId} has no command ${parsed.value.command}` });
    const e = await this.#status(d, c, 'OK', parsed.value.result);
    return e ? this.#reject(apikey, deviceId, d.tenant, e) : { ok: true, value: undefined };
  }

  /** Writes `<cmd>_status` (and `<cmd>_info` when given). */
  #status(d: EffectiveDevice, c: AttributeMapping, status: string, info?: unknown): Promise<IotError | undefined> {
    const observedAt = this.#now();
    const attrs: EntityAttrs = { [this.#expand(statusName(c.name))]: { type: 'Property', value: status, observedAt } };
    if (info !== undefined) attrs[this.#expand(infoName(c.name))] = { type: 'Property', value: info === null ? '' : info, observedAt };
    return this.#write(d, attrs);
  }

  async #onUpdated(tenant: string, updated: Updated[]): Promise<void> {
    const names = await this.#commands.current();
    for (const u of updated) {
      const touched = changedAttributes(u).filter((iri) => names.has(iri));
      if (touched.length === 0) continue;
      for (const d of await this.registry.byEntity(tenant, u.after.id)) {
        for (const c of d.commands) {
          const iri = this.#expand(c.name);
          const a = touched.includes(iri) ? u.after.attrs[iri]?.find((x) => x.datasetId === undefined) : undefined;
          if (a) await this.#send(d, c, commandValue(a));
        }
      }
    }
  }

  async #send(d: EffectiveDevice, c: AttributeMapping, value: unknown): Promise<void> {
    const t = this.o.transport;
    if (!t || /^http$/i.test(d.transport ?? '')) {
      await this.#status(d, c, 'ERROR', 'Mimosa sends commands over MQTT only');
      return;
    }
    const { topic, payload } = commandMessage(d, c, value);
    try {
      await t.publish(topic, payload);
      await this.#status(d, c, 'PENDING');
    } catch (err) {
      this.o.log.warn({ err, topic }, 'IoT agent: a command could not be published');
      await this.#status(d, c, 'ERROR', `The command could not be published: ${(err as Error).message}`);
    }
  }
}

