/**
 * Device observations as NGSI-LD attribute instances (FIWARE "Device to NGSI mapping"): a measure named by a
 * mapping's object_id (else its name) becomes that mapping's attribute, typed and with its unit code; one no
 * mapping names becomes an attribute of its own name with the value as sent, unless the device has
 * explicitAttrs. Every instance carries observedAt: the device's timestamp when it gave one, else the time the
 * agent received it. `id` and `type` measures are ignored, as FIWARE does.
 */
import type { Attribute, Entity } from '../../core/entity/model.js';
import { freshen } from '../../core/entity/ops-instance.js';
import { isValidAttributeName } from '../../core/entity/uri.js';
import type { IotError } from '../../core/problem.js';
import type { Observation } from '../codecs/observation.js';
import { mappingOf, type EffectiveDevice } from '../model.js';
import { toAttribute, unitCodeOf } from './convert.js';

/** Expands an attribute or type name (a core-context term, or an IRI as is). */
export type Expand = (term: string) => string;

export interface MappedObservation {
  /** Expanded attribute name → the one instance this observation writes. */
  attrs: Record<string, Attribute>;
  /** Measures refused (wrong type, unusable name); the others are written. */
  rejected: IotError[];
}

const IGNORED = new Set(['id', 'type']);

export function mapObservation(d: EffectiveDevice, obs: Observation, receivedAt: string, expand: Expand): MappedObservation {
  const out: MappedObservation = { attrs: {}, rejected: [] };
  const observedAt = obs.observedAt ?? receivedAt;
  for (const m of obs.measures) {
    if (IGNORED.has(m.key)) continue;
    const mapping = mappingOf(d, m.key);
    if (!mapping && d.explicitAttrs) continue;
    const name = mapping?.name ?? m.key;
    if (!isValidAttributeName(name)) {
      out.rejected.push({ name: 'MALFORMED_PAYLOAD', message: `Measure name ${JSON.stringify(name.slice(0, 60))} is not a valid attribute name` });
      continue;
    }
    const r = toAttribute(name, mapping?.type ?? 'Property', m.value, { observedAt, unitCode: unitCodeOf(mapping?.metadata) });
    if (r.ok) out.attrs[expand(name)] = r.value;
    else out.rejected.push(r.error);
  }
  return out;
}

/** The value attributes of a command: `<cmd>_status` and `<cmd>_info` (FIWARE command confirmation). */
export const statusName = (command: string) => `${command}_status`;
export const infoName = (command: string) => `${command}_info`;

/**
 * The entity of a device as created by its first write: its type, static attributes, and each command with its
 * status and info (FIWARE's initial `UNKNOWN`), so that an NGSI-LD client can update the command at once.
 */
export function newEntity(d: EffectiveDevice, expand: Expand, now: string): Entity {
  const attrs: Record<string, Attribute[]> = {};
  for (const s of d.staticAttributes) {
    const r = toAttribute(s.name, s.type, s.value, { unitCode: unitCodeOf(s.metadata) });
    // static attributes were checked when provisioned; one that no longer converts is left out, not fatal
    if (r.ok) attrs[expand(s.name)] = [freshen(r.value, now)];
  }
  for (const c of d.commands) {
    attrs[expand(c.name)] ??= [freshen({ type: 'Property', value: '' }, now)];
    attrs[expand(statusName(c.name))] ??= [freshen({ type: 'Property', value: 'UNKNOWN' }, now)];
    attrs[expand(infoName(c.name))] ??= [freshen({ type: 'Property', value: '' }, now)];
  }
  return { id: d.entityId, types: [expand(d.entityType)], createdAt: now, modifiedAt: now, attrs };
}
