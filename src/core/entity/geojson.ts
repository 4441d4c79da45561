/**
 * GeoJSON geometry validation for GeoProperty values (clause 4.7, RFC 7946 clause 3.1).
 * Returns a canonical copy (only `type` and `coordinates`/`geometries`; foreign members and `bbox` are dropped,
 * since storage derives its own spatial index from the coordinates).
 */
import { fail, ok, type Result } from '../problem.js';

export const geometryTypes = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
] as const;
export type GeometryType = (typeof geometryTypes)[number];

/** [longitude, latitude] or [longitude, latitude, altitude] (RFC 7946 clause 3.1.1). */
export type Position = number[];

export type GeoJSONGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'GeometryCollection'; geometries: GeoJSONGeometry[] };

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const own = (o: Json, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

/** Whether `x` claims to be a GeoJSON geometry (an object whose `type` names a geometry type), valid or not. */
export function isGeometryLike(x: unknown): boolean {
  if (!isObject(x)) return false;
  const t = own(x, 'type');
  return typeof t === 'string' && (geometryTypes as readonly string[]).includes(t);
}

/** Validates a GeoJSON geometry object; the failure detail names the offending member and why. */
export function validateGeometry(value: unknown): Result<GeoJSONGeometry> {
  return geometry(value, false);
}

/** A GeoProperty value (clause 4.7): a geometry, or a string holding its JSON, as some clients send. */
export function parseGeometryValue(value: unknown): Result<GeoJSONGeometry> {
  if (typeof value !== 'string') return geometry(value, false);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return bad('geometry string is not valid JSON');
  }
  return geometry(parsed, false);
}

const bad = (detail: string) => fail<never>('BadRequestData', `GeoJSON ${detail}`);

function geometry(value: unknown, nested: boolean): Result<GeoJSONGeometry> {
  if (!isObject(value)) return bad('geometry is not a JSON object');
  const type = own(value, 'type');
  if (typeof type !== 'string' || !(geometryTypes as readonly string[]).includes(type)) {
    const expected = geometryTypes.join(', ');
    if (typeof type !== 'string') return bad(`geometry has no type string (expected one of ${expected})`);
    return bad(`geometry type "${type.slice(0, 40)}" is not one of ${expected}`);
  }
  if (type === 'GeometryCollection') return collection(value, nested);
  if (!Object.hasOwn(value, 'coordinates')) return bad(`${type} has no coordinates`);
  const c = own(value, 'coordinates');
  const at = `${type} coordinates`;
  let coords: Result<unknown>;
  switch (type as Exclude<GeometryType, 'GeometryCollection'>) {
    case 'Point':
      coords = position(c, at);
      break;
    case 'MultiPoint':
      coords = positions(c, at, 1);
      break;
    case 'LineString':
      coords = positions(c, at, 2);
      break;
    case 'MultiLineString':
      coords = list(c, at, (x, where) => positions(x, where, 2));
      break;
    case 'Polygon':
      coords = rings(c, at);
      break;
    case 'MultiPolygon':
      coords = list(c, at, rings);
      break;
  }
  if (!coords.ok) return coords;
  return ok({ type, coordinates: coords.value } as GeoJSONGeometry);
}

/** RFC 7946 clause 3.1.8: nested GeometryCollections SHOULD be avoided; we refuse them (and empty ones). */
function collection(value: Json, nested: boolean): Result<GeoJSONGeometry> {
  if (nested) return bad('GeometryCollection cannot contain another GeometryCollection');
  const gs = own(value, 'geometries');
  if (!Array.isArray(gs) || gs.length === 0) return bad('GeometryCollection needs a non-empty geometries array');
  const out: GeoJSONGeometry[] = [];
  for (const g of gs) {
    const r = geometry(g, true);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok({ type: 'GeometryCollection', geometries: out });
}

function position(x: unknown, at: string): Result<Position> {
  if (!Array.isArray(x) || x.length < 2 || x.length > 3) return bad(`${at} is not a position of 2 or 3 numbers`);
  if (!x.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return bad(`${at} contains a value that is not a finite number`);
  }
  const [lon, lat] = x as number[];
  if (lon < -180 || lon > 180) return bad(`${at} has longitude ${lon} outside -180..180`);
  if (lat < -90 || lat > 90) return bad(`${at} has latitude ${lat} outside -90..90`);
  return ok([...(x as number[])]);
}

function list<T>(x: unknown, at: string, item: (x: unknown, at: string) => Result<T>, min = 1): Result<T[]> {
  if (!Array.isArray(x)) return bad(`${at} is not an array`);
  if (x.length < min) return bad(`${at} needs at least ${min} element${min > 1 ? 's' : ''}`);
  const out: T[] = [];
  for (let i = 0; i < x.length; i++) {
    const r = item(x[i], `${at}[${i}]`);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

function positions(x: unknown, at: string, min: number): Result<Position[]> {
  return list(x, at, position, min);
}

/** RFC 7946 clause 3.1.6: a linear ring is closed and has at least four positions. */
function ring(x: unknown, at: string): Result<Position[]> {
  const r = positions(x, at, 4);
  if (!r.ok) return r;
  const first = r.value[0];
  const last = r.value[r.value.length - 1];
  if (first.length !== last.length || first.some((n, i) => n !== last[i])) {
    return bad(`${at} is not a closed ring: its first and last positions differ`);
  }
  return r;
}

function rings(x: unknown, at: string): Result<Position[][]> {
  return list(x, at, ring);
}
