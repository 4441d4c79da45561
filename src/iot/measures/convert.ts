/**
 * A measure (or static attribute) value, typed by its FIWARE attribute type, as an NGSI-LD attribute instance.
 * FIWARE's NGSI-LD agents map native JSON types and schema.org names to Properties, GeoJSON and `geo:*` types to
 * GeoProperties and `Relationship` to Relationships (iotagent-node-lib, "NGSI-LD data and metadata
 * considerations"); a value that cannot be read as its declared type is rejected (WRONG_TYPE), never stored as
 * something else. Types Mimosa does not know keep the value as sent (a string, for Ultralight).
 */
import { validateGeometry } from '../../core/entity/geojson.js';
import type { Attribute } from '../../core/entity/model.js';
import { isDateTime, isUri } from '../../core/entity/uri.js';
import { iotFail, type IotResult } from '../../core/problem.js';

type Kind = 'number' | 'integer' | 'boolean' | 'text' | 'datetime' | 'latlon' | 'geometry' | 'relationship' | 'json' | 'any';

const KINDS: Record<string, Kind> = {
  number: 'number',
  float: 'number',
  double: 'number',
  decimal: 'number',
  integer: 'integer',
  int: 'integer',
  boolean: 'boolean',
  bool: 'boolean',
  text: 'text',
  string: 'text',
  datetime: 'datetime',
  iso8601: 'datetime',
  'geo:point': 'latlon',
  'geo:json': 'geometry',
  geoproperty: 'geometry',
  point: 'geometry',
  linestring: 'geometry',
  polygon: 'geometry',
  multipoint: 'geometry',
  multilinestring: 'geometry',
  multipolygon: 'geometry',
  relationship: 'relationship',
  structuredvalue: 'json',
  object: 'json',
  array: 'json',
  json: 'json',
};

const kindOf = (type: string): Kind => KINDS[type.toLowerCase()] ?? 'any';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
/** Deepest JSON value a device may send (a bound on the work one value can cause). */
const MAX_DEPTH = 16;
/** What PostgreSQL cannot keep in jsonb: U+0000 and unpaired surrogates. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const wrong = (name: string, type: string, why: string): IotResult<never> => iotFail('WRONG_TYPE', `Measure ${name} is not a ${type}: ${why}`);

function describe(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Whether a JSON value can be stored: finite numbers, storable strings, bounded depth. */
function storable(v: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof v === 'string') return !UNSTORABLE.test(v);
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every((x) => storable(x, depth + 1));
  if (typeof v === 'object' && v !== null) return Object.entries(v).every(([k, x]) => !UNSTORABLE.test(k) && storable(x, depth + 1));
  return false;
}

function number(name: string, type: string, v: unknown, integer: boolean): IotResult<number> {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && (integer ? INTEGER : NUMBER).test(v.trim())) n = Number(v.trim());
  if (n === undefined || !Number.isFinite(n)) return wrong(name, type, describe(v));
  if (integer && !Number.isSafeInteger(n)) return wrong(name, type, describe(v));
  return { ok: true, value: n };
}

function boolean(name: string, type: string, v: unknown): IotResult<boolean> {
  if (typeof v === 'boolean') return { ok: true, value: v };
  const s = typeof v === 'string' ? v.trim().toLowerCase() : typeof v === 'number' ? String(v) : undefined;
  if (s === 'true' || s === '1') return { ok: true, value: true };
  if (s === 'false' || s === '0') return { ok: true, value: false };
  return wrong(name, type, describe(v));
}

/** `lat,lon` (NGSI-v2 geo:point), `lon,lat` for GeoJSON types, an array of numbers, or a GeoJSON geometry. */
function geometry(name: string, type: string, v: unknown, latFirst: boolean): IotResult<unknown> {
  let g: unknown = v;
  if (typeof v === 'string') {
    const parts = v.split(/[,/]/).map((p) => p.trim());
    if (parts.length === 2 && parts.every((p) => NUMBER.test(p))) {
      const [a, b] = parts.map(Number);
      g = { type: 'Point', coordinates: latFirst ? [b, a] : [a, b] };
    } else {
      try {
        g = JSON.parse(v);
      } catch {
        return wrong(name, type, describe(v));
      }
    }
  } else if (Array.isArray(v) && v.length >= 2 && v.length <= 3 && v.every((x) => typeof x === 'number')) {
    g = { type: 'Point', coordinates: latFirst ? [v[1], v[0], ...v.slice(2)] : v };
  }
  const r = validateGeometry(g);
  return r.ok ? r : wrong(name, type, r.problem.detail);
}

function json(name: string, type: string, v: unknown): IotResult<unknown> {
  if (typeof v !== 'string') return typeof v === 'object' && v !== null ? { ok: true, value: v } : wrong(name, type, describe(v));
  try {
    const parsed: unknown = JSON.parse(v);
    if (typeof parsed === 'object' && parsed !== null) return { ok: true, value: parsed };
  } catch {
    // not JSON: reported below
  }
  return wrong(name, type, describe(v));
}

/**
 * The attribute instance for value `v` of attribute `name` typed `type`, observed at `observedAt`, in `unitCode`.
 * `name` is only for messages.
 */
export function toAttribute(name: string, type: string, v: unknown, o: { observedAt?: string; unitCode?: string }): IotResult<Attribute> {
  if (!storable(v)) return wrong(name, type, 'the value cannot be stored (null, not finite, too deep, or holding U+0000)');
  const attr = (a: Attribute): IotResult<Attribute> => {
    if (o.observedAt !== undefined) a.observedAt = o.observedAt;
    if (o.unitCode !== undefined && a.type === 'Property') a.unitCode = o.unitCode;
    return { ok: true, value: a };
  };
  const property = (r: IotResult<unknown>) => (r.ok ? attr({ type: 'Property', value: r.value }) : r);
  switch (kindOf(type)) {
    case 'number':
      return property(number(name, type, v, false));
    case 'integer':
      return property(number(name, type, v, true));
    case 'boolean':
      return property(boolean(name, type, v));
    case 'text':
      return typeof v === 'object' ? wrong(name, type, describe(v)) : attr({ type: 'Property', value: String(v) });
    case 'datetime':
      return typeof v === 'string' && isDateTime(v.trim())
        ? attr({ type: 'Property', value: { '@type': 'DateTime', '@value': new Date(v.trim()).toISOString() } })
        : wrong(name, type, describe(v));
    case 'latlon':
    case 'geometry': {
      const g = geometry(name, type, v, kindOf(type) === 'latlon');
      return g.ok ? attr({ type: 'GeoProperty', value: g.value }) : g;
    }
    case 'relationship':
      return typeof v === 'string' && isUri(v.trim()) ? attr({ type: 'Relationship', object: v.trim() }) : wrong(name, type, `${describe(v)} is not a URI`);
    case 'json':
      return property(json(name, type, v));
    default:
      return attr({ type: 'Property', value: v });
  }
}

/** The unit code of a mapping's metadata: `{"unitCode": {"type": "Text", "value": "CEL"}}` or `{"unitCode": "CEL"}`. */
export function unitCodeOf(metadata: Record<string, unknown> | undefined): string | undefined {
  const u = metadata?.unitCode;
  if (typeof u === 'string') return u;
  if (typeof u === 'object' && u !== null && typeof (u as { value?: unknown }).value === 'string') return (u as { value: string }).value;
  return undefined;
}
