/**
 * Provisioning bodies of the FIWARE IoT Agent API (iotagent-node-lib "Config group datamodel", "Device
 * datamodel") read into the model of src/iot/model.ts. Fields FIWARE scripts send that have no meaning here
 * (cbroker, trust, lazy, endpoint, timezone…) are accepted and kept; fields whose meaning Mimosa does not implement
 * and that would change the data written if ignored (expressions, multi-entity mappings, entity name expressions)
 * are refused with WRONG_SYNTAX naming them, never silently dropped. Unknown fields are not kept.
 */
import { isUri, isValidAttributeName } from '../../core/entity/uri.js';
import { iotFail, type IotResult } from '../../core/problem.js';
import { toAttribute } from '../measures/convert.js';
import type { AttributeMapping, IotDevice, IotGroup, StaticAttribute } from '../model.js';

type Body = Record<string, unknown>;
type Fields = Record<string, unknown>;

/** Most groups, devices or mappings in one list (a bound on one request's work). */
const MAX_ITEMS = 10_000;
/**
 * API keys and device ids are MQTT topic levels and part of entity ids: no `/ + #`, whitespace, controls, nor the
 * characters URIs forbid.
 */
const IDENTIFIER = /^[^\s\p{Cc}\p{Cf}/+#<>"{}|\\^`%]{1,256}$/u;

const NOT_SUPPORTED_GROUP = ['entityNameExp', 'defaultEntityNameConjunction'];
const NOT_SUPPORTED_MAPPING = ['expression', 'skipValue', 'reverse', 'entity_name', 'entity_type'];

const isObject = (x: unknown): x is Body => typeof x === 'object' && x !== null && !Array.isArray(x);

class Invalid extends Error {}

const invalid = (message: string): never => {
  throw new Invalid(message);
};

/** Runs a reader that throws Invalid for bad input, as a result. */
function read<T>(f: () => T): IotResult<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Invalid) return iotFail('WRONG_SYNTAX', e.message);
    throw e;
  }
}

function text(b: Body, key: string, at: string, o: { required?: boolean; identifier?: boolean } = {}): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return o.required ? invalid(`${at}.${key} is required`) : undefined;
  if (typeof v !== 'string') return invalid(`${at}.${key} must be a string`);
  if (o.identifier && !IDENTIFIER.test(v)) {
    return invalid(`${at}.${key} must be 1 to 256 characters without whitespace, controls, or any of / + # < > " { } | \\ ^ \` %`);
  }
  if (v.length > 1024) return invalid(`${at}.${key} is longer than 1024 characters`);
  return v;
}

function flag(b: Body, key: string, at: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') return invalid(`${at}.${key} must be true or false${key === 'explicitAttrs' ? ' (expressions are not supported)' : ''}`);
  return v;
}

function list(b: Body, key: string, at: string): unknown[] | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return invalid(`${at}.${key} must be an array`);
  if (v.length > MAX_ITEMS) return invalid(`${at}.${key} has more than ${MAX_ITEMS} items`);
  return v;
}

function refuse(b: Body, keys: readonly string[], at: string): void {
  for (const k of keys) if (b[k] !== undefined) invalid(`${at}.${k} is not supported by Mimosa`);
}

function name(b: Body, at: string): string {
  const n = text(b, 'name', at, { required: true }) as string;
  if (!isValidAttributeName(n) || n === 'id' || n === 'type') return invalid(`${at}.name ${JSON.stringify(n.slice(0, 60))} is not a valid attribute name`);
  return n;
}

function metadata(b: Body, at: string): Record<string, unknown> | undefined {
  const m = b.metadata;
  if (m === undefined || m === null) return undefined;
  if (!isObject(m)) return invalid(`${at}.metadata must be an object`);
  return m;
}

function mapping(x: unknown, at: string): AttributeMapping {
  if (!isObject(x)) return invalid(`${at} must be an object`);
  refuse(x, NOT_SUPPORTED_MAPPING, at);
  const m: AttributeMapping = { name: name(x, at), type: text(x, 'type', at, { required: true }) as string };
  const objectId = text(x, 'object_id', at);
  if (objectId !== undefined) {
    if (objectId === '' || /[|#\p{Cc}]/u.test(objectId)) return invalid(`${at}.object_id must be a non-empty name without | # or controls`);
    m.object_id = objectId;
  }
  const meta = metadata(x, at);
  if (meta) m.metadata = meta;
  return m;
}

function staticAttribute(x: unknown, at: string): StaticAttribute {
  if (!isObject(x)) return invalid(`${at} must be an object`);
  refuse(x, ['link', ...NOT_SUPPORTED_MAPPING], at);
  const s: StaticAttribute = { name: name(x, at), type: text(x, 'type', at, { required: true }) as string, value: x.value };
  if (x.value === undefined) return invalid(`${at}.value is required`);
  const r = toAttribute(s.name, s.type, s.value, {});
  if (!r.ok) return invalid(`${at}: ${r.error.message}`);
  const meta = metadata(x, at);
  if (meta) s.metadata = meta;
  return s;
}

/** The fields groups and devices share, read from `b` into `out` (only those given). */
function shared(b: Body, at: string, out: Fields): void {
  const entityType = text(b, 'entity_type', at);
  if (entityType !== undefined) {
    if (!isValidAttributeName(entityType)) invalid(`${at}.entity_type ${JSON.stringify(entityType.slice(0, 60))} is not a valid type name`);
    out.entity_type = entityType;
  }
  for (const key of ['attributes', 'lazy', 'commands'] as const) {
    const l = list(b, key, at);
    if (l) out[key] = l.map((x, i) => mapping(x, `${at}.${key}[${i}]`));
  }
  const statics = list(b, 'static_attributes', at);
  if (statics) out.static_attributes = statics.map((x, i) => staticAttribute(x, `${at}.static_attributes[${i}]`));
  if (b.internal_attributes !== undefined) out.internal_attributes = b.internal_attributes;
  for (const key of ['explicitAttrs', 'timestamp']) {
    const v = flag(b, key, at);
    if (v !== undefined) out[key] = v;
  }
  for (const key of ['transport', 'protocol', 'endpoint', 'ngsiVersion']) {
    const v = text(b, key, at);
    if (v !== undefined) out[key] = v;
  }
  const payloadType = text(b, 'payloadType', at);
  if (payloadType !== undefined && payloadType !== 'iotagent') invalid(`${at}.payloadType ${payloadType} is not supported by Mimosa (only iotagent)`);
}

function group(x: unknown, at: string, update: boolean): Fields {
  if (!isObject(x)) return invalid(`${at} must be an object`);
  refuse(x, NOT_SUPPORTED_GROUP, at);
  const out: Fields = {};
  const apikey = text(x, 'apikey', at, { required: !update, identifier: true });
  if (apikey !== undefined) out.apikey = apikey;
  const resource = text(x, 'resource', at, { required: !update });
  if (resource !== undefined) out.resource = resource;
  shared(x, at, out);
  const autoprovision = flag(x, 'autoprovision', at);
  if (autoprovision !== undefined) out.autoprovision = autoprovision;
  for (const key of ['cbroker', 'cbHost', 'trust', 'description']) {
    const v = text(x, key, at);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function device(x: unknown, at: string, update: boolean): Fields {
  if (!isObject(x)) return invalid(`${at} must be an object`);
  refuse(x, NOT_SUPPORTED_GROUP, at);
  const out: Fields = {};
  const id = text(x, 'device_id', at, { required: !update, identifier: true });
  if (id !== undefined) out.device_id = id;
  const entityName = text(x, 'entity_name', at);
  if (entityName !== undefined) {
    if (!isUri(entityName)) invalid(`${at}.entity_name ${JSON.stringify(entityName.slice(0, 60))} is not a URI, as NGSI-LD entity ids are`);
    out.entity_name = entityName;
  }
  const apikey = text(x, 'apikey', at, { identifier: true });
  if (apikey !== undefined) out.apikey = apikey;
  shared(x, at, out);
  const timezone = text(x, 'timezone', at);
  if (timezone !== undefined) out.timezone = timezone;
  const polling = flag(x, 'polling', at);
  if (polling !== undefined) out.polling = polling;
  return out;
}

function items(body: unknown, keys: readonly string[]): unknown[] {
  if (!isObject(body)) return invalid('the body must be a JSON object');
  const key = keys.find((k) => body[k] !== undefined) ?? keys[0];
  const l = list(body, key, 'body');
  if (!l || l.length === 0) return invalid(`body.${key} must be a non-empty array`);
  return l;
}

/** POST /iot/services: `{"services": [group…]}` (`configGroups` too, the newer name). */
export function parseGroups(body: unknown): IotResult<IotGroup[]> {
  return read(() => items(body, ['services', 'configGroups']).map((x, i) => group(x, `services[${i}]`, false) as unknown as IotGroup));
}

/** PUT /iot/services: the fields to change. */
export function parseGroupChanges(body: unknown): IotResult<Partial<IotGroup>> {
  return read(() => group(body, 'body', true) as Partial<IotGroup>);
}

/** POST /iot/devices: `{"devices": [device…]}`. */
export function parseDevices(body: unknown): IotResult<IotDevice[]> {
  return read(() => items(body, ['devices']).map((x, i) => device(x, `devices[${i}]`, false) as unknown as IotDevice));
}

/** PUT /iot/devices/{id}: the fields to change (not the id). */
export function parseDeviceChanges(body: unknown): IotResult<Partial<IotDevice>> {
  if (isObject(body) && body.device_id !== undefined) return iotFail('BAD_REQUEST', "Can't change the ID of a preprovisioned device");
  return read(() => device(body, 'body', true) as Partial<IotDevice>);
}
