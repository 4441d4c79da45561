/**
 * Commands (FIWARE "Command execution"): an NGSI-LD update of a device entity's command attribute is published to
 * the device on `/<apikey>/<deviceId>/cmd` (Ultralight `<device>@<cmd>|<value>`, or JSON `{"<cmd>": <value>}` for
 * JSON devices) and `<cmd>_status` becomes PENDING (ERROR when it cannot be sent); the device's answer on
 * `/cmdexe` sets `<cmd>_status` to OK and `<cmd>_info` to its result.
 *
 * The updates are seen through the store the API writes with (observeWrites, wired by app.ts): after a write
 * commits, the entities it updated are checked for command attributes whose default instance changed. Command names
 * are few and kept in memory (refreshed from the provisioning every REFRESH_MS and after each provisioning change
 * here), so that writes of other entities cost a set look-up; only a write that touches a command name looks the
 * device up.
 */
import type { Attribute, Entity } from '../core/entity/model.js';
import type { EntityTx, IotStore, Store } from '../store/port.js';
import { encodeJsonCommand } from './codecs/json.js';
import { encodeUltralightCommand } from './codecs/ultralight.js';
import type { Expand } from './measures/map.js';
import { speaksJson, type AttributeMapping, type EffectiveDevice } from './model.js';
import { commandTopic } from './mqtt/topics.js';

const REFRESH_MS = 5000;

/** The entities one committed write updated, before and after. */
export interface Updated {
  before?: Entity;
  after: Entity;
}

/**
 * The store with `write` observed: `onCommit` is called with the entities each write updated, once it committed.
 * Every other member is the store's own.
 */
export function observeWrites(store: Store, onCommit: (tenant: string, updated: Updated[]) => void): Store {
  const write: Store['write'] = async (tenant, fn) => {
    const before = new Map<string, Entity>();
    const after = new Map<string, Entity>();
    const result = await store.write(tenant, (tx) => {
      const observed: EntityTx = {
        getForUpdate: async (ids) => {
          const found = await tx.getForUpdate(ids);
          for (const [id, e] of found) if (!before.has(id)) before.set(id, e);
          return found;
        },
        insert: (entities) => tx.insert(entities),
        update: async (entities) => {
          for (const e of entities) after.set(e.id, e);
          await tx.update(entities);
        },
        delete: (ids) => tx.delete(ids),
      };
      return fn(observed);
    });
    if (after.size > 0) onCommit(tenant, [...after.values()].map((e) => ({ before: before.get(e.id), after: e })));
    return result;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'write') return write;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** The expanded names of the command attributes of every device and group. */
export class CommandNames {
  #names = new Set<string>();
  #at = 0;
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly store: IotStore,
    private readonly expand: () => Expand,
  ) {}

  /** Reads them again (at start, and after a provisioning change). */
  refresh(): Promise<void> {
    this.#refreshing ??= this.store
      .commandNames()
      .then((names) => {
        const expand = this.expand();
        this.#names = new Set(names.map((n) => expand(n)));
        this.#at = Date.now();
      })
      .finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async current(): Promise<ReadonlySet<string>> {
    if (Date.now() - this.#at > REFRESH_MS) await this.refresh();
    return this.#names;
  }
}

const defaultInstance = (list: readonly Attribute[] | undefined) => list?.find((a) => a.datasetId === undefined);

/** The attributes whose default instance the write created or changed. */
export function changedAttributes(u: Updated): string[] {
  return Object.keys(u.after.attrs).filter((iri) => {
    const now = defaultInstance(u.after.attrs[iri]);
    const was = defaultInstance(u.before?.attrs[iri]);
    return now !== undefined && (was === undefined || was.modifiedAt !== now.modifiedAt || JSON.stringify(was) !== JSON.stringify(now));
  });
}

/** The command's argument: the value the client wrote, whatever the attribute type. */
export function commandValue(a: Attribute): unknown {
  return a.value ?? a.json ?? a.object ?? a.vocab ?? a.valueList ?? a.languageMap ?? '';
}

/** What a command becomes on the wire. */
export function commandMessage(d: EffectiveDevice, c: AttributeMapping, value: unknown): { topic: string; payload: string } {
  const name = c.object_id ?? c.name;
  const payload = speaksJson(d) ? encodeJsonCommand(name, value) : encodeUltralightCommand(d.deviceId, name, value);
  return { topic: commandTopic(d.apikey, d.deviceId), payload };
}
