/**
 * Ultralight 2.0 (FIWARE IoT Agent UL, "Measure Payload Syntax" and "Commands Syntax"): `k|v|k|v` pairs, several
 * groups separated by `#`, each group optionally led by an ISO 8601 timestamp (`2016-06-13T00:35:30Z|t|21`).
 * Values are untyped strings; the attribute mapping types them. Commands are `<device>@<command>|<params>` and
 * their results `<device>@<command>|<result>`.
 */
import { isDateTime } from '../../core/entity/uri.js';
import { iotFail, type IotResult } from '../../core/problem.js';
import type { Measure, Observation } from './observation.js';

/** Reads an Ultralight measure payload: one observation per `#` group. */
export function parseUltralight(payload: string): IotResult<Observation[]> {
  const text = payload.trim();
  if (text === '') return iotFail('MALFORMED_PAYLOAD', 'Ultralight payload is empty');
  const out: Observation[] = [];
  const groups = text.split('#');
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g].trim();
    // a trailing '#' leaves an empty last group, which devices do send
    if (group === '' && g === groups.length - 1 && g > 0) continue;
    const r = parseGroup(group, g);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

function parseGroup(group: string, index: number): IotResult<Observation> {
  const fields = group.split('|').map((f) => f.trim());
  const obs: Observation = { measures: [] };
  let i = 0;
  if (fields.length % 2 === 1) {
    if (!isDateTime(fields[0])) {
      return iotFail('MALFORMED_PAYLOAD', `Ultralight group ${index + 1} has an odd number of fields and does not start with an ISO 8601 timestamp`);
    }
    obs.observedAt = new Date(fields[0]).toISOString();
    i = 1;
  }
  for (; i < fields.length; i += 2) {
    const m: Measure = { key: fields[i], value: fields[i + 1] };
    if (m.key === '') return iotFail('MALFORMED_PAYLOAD', `Ultralight group ${index + 1} has a measure without a name`);
    obs.measures.push(m);
  }
  if (obs.measures.length === 0) return iotFail('MALFORMED_PAYLOAD', `Ultralight group ${index + 1} holds no measure`);
  return { ok: true, value: obs };
}

/** A command for the device: `<device>@<command>|<value>`, an object value as `k=v|k=v`. */
export function encodeUltralightCommand(deviceId: string, command: string, value: unknown): string {
  let params: string;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    params = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('|');
  } else {
    params = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  }
  return `${deviceId}@${command}|${params}`;
}

/** A command result, `<device>@<command>|<result>` (the result may hold `|`). */
export function parseUltralightResult(payload: string): IotResult<{ command: string; result: string }> {
  const text = payload.trim();
  const at = text.indexOf('@');
  if (at <= 0) return iotFail('MALFORMED_PAYLOAD', 'Ultralight command result is not <device>@<command>|<result>');
  const bar = text.indexOf('|', at);
  const command = (bar < 0 ? text.slice(at + 1) : text.slice(at + 1, bar)).trim();
  if (command === '') return iotFail('MALFORMED_PAYLOAD', 'Ultralight command result names no command');
  return { ok: true, value: { command, result: bar < 0 ? '' : text.slice(bar + 1) } };
}
