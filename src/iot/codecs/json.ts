/**
 * The JSON payloads of the FIWARE IoT Agent JSON: a measure payload is an object of measures (`{"t": 21.5}`), or
 * an array of such objects (several observations, FIWARE's multimeasure); `TimeInstant` is the device's timestamp.
 * Commands are `{"<command>": <value>}` and their results `{"<command>": <result>}`.
 */
import { isDateTime } from '../../core/entity/uri.js';
import { iotFail, type IotResult } from '../../core/problem.js';
import { TIMESTAMP_KEY, type Observation } from './observation.js';

/** Most observations one message may carry (a bound on the work one message can cause). */
const MAX_OBSERVATIONS = 1000;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parse(payload: string): IotResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(payload) };
  } catch (e) {
    return iotFail('MALFORMED_PAYLOAD', `JSON payload is not valid JSON: ${(e as Error).message}`);
  }
}

/** Reads a JSON measure payload. */
export function parseJsonMeasures(payload: string): IotResult<Observation[]> {
  const parsed = parse(payload);
  if (!parsed.ok) return parsed;
  const items = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  if (items.length === 0) return iotFail('MALFORMED_PAYLOAD', 'JSON payload is an empty array');
  if (items.length > MAX_OBSERVATIONS) return iotFail('MALFORMED_PAYLOAD', `JSON payload holds more than ${MAX_OBSERVATIONS} observations`);
  const out: Observation[] = [];
  for (const item of items) {
    if (!isObject(item)) return iotFail('MALFORMED_PAYLOAD', 'JSON payload must be an object of measures, or an array of them');
    const obs: Observation = { measures: [] };
    for (const [key, value] of Object.entries(item)) {
      if (key !== TIMESTAMP_KEY) obs.measures.push({ key, value });
      else if (typeof value === 'string' && isDateTime(value)) obs.observedAt = new Date(value).toISOString();
      else return iotFail('MALFORMED_PAYLOAD', `${TIMESTAMP_KEY} must be an ISO 8601 date-time with a time zone`);
    }
    if (obs.measures.length === 0) return iotFail('MALFORMED_PAYLOAD', 'JSON payload holds an observation without measures');
    out.push(obs);
  }
  return { ok: true, value: out };
}

/** The value of a single-measure message (`…/attrs/<attr>`): JSON when it parses, else the text itself. */
export function jsonValue(payload: string): unknown {
  const r = parse(payload);
  return r.ok ? r.value : payload;
}

export function encodeJsonCommand(command: string, value: unknown): string {
  return JSON.stringify({ [command]: value ?? '' });
}

/** A command result: `{"<command>": <result>}` (the first member). */
export function parseJsonResult(payload: string): IotResult<{ command: string; result: unknown }> {
  const parsed = parse(payload);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value)) return iotFail('MALFORMED_PAYLOAD', 'JSON command result must be an object {"<command>": <result>}');
  const entries = Object.entries(parsed.value);
  if (entries.length === 0) return iotFail('MALFORMED_PAYLOAD', 'JSON command result names no command');
  return { ok: true, value: { command: entries[0][0], result: entries[0][1] } };
}
