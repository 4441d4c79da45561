/**
 * NGSI-LD Geoquery (clause 4.10; the GeoQuery data type of clause 5.2.13 for POST Query `geoQ` and
 * subscriptions): `georel`, `geometry` and `coordinates` together, `geoproperty` optional (default `location`).
 *
 *   georel  = nearRel / "within" / "contains" / "overlaps" / "intersects" / "equals" / "disjoint"
 *   nearRel = "near" ";" ("maxDistance" / "minDistance") "==" PositiveNumber      ; metres, non-zero
 *
 * Decisions: `near` is accepted with every reference geometry (clause 4.10 defines it through the buffer of the
 * reference geometry, whatever its type); `near;maxDistance:N` (the NGSIv2 spelling) is accepted too; a
 * `geoproperty` without a geo-query is ignored, as the OpenAPI description of the parameter says.
 */
import type { TermMap } from '../context/termmap.js';
import { validateGeometry, type GeoJSONGeometry } from '../entity/geojson.js';
import { LOCATION } from '../entity/model.js';
import { isValidAttributeName } from '../entity/uri.js';
import { fail, ok, type Result } from '../problem.js';

const simpleGeoRels = ['within', 'contains', 'intersects', 'disjoint', 'equals', 'overlaps'] as const;
type SimpleGeoRel = (typeof simpleGeoRels)[number];

export type GeoRel =
  /** maxDistance: within `metres` of the reference geometry; minDistance: farther than `metres` from it. */
  | { relation: 'near'; limit: 'maxDistance' | 'minDistance'; metres: number }
  | { relation: SimpleGeoRel };

/** Reference geometries: every GeoJSON geometry except GeometryCollection (clause 4.10). */
export type ReferenceGeometry = Exclude<GeoJSONGeometry, { type: 'GeometryCollection' }>;

export interface GeoQuery {
  georel: GeoRel;
  /** The reference geometry, validated (RFC 7946: positions, closed rings, WGS 84 ranges). */
  geometry: ReferenceGeometry;
  /** Expanded IRI of the target GeoProperty. */
  geoproperty: string;
}

export interface GeoQueryInput {
  georel?: unknown;
  geometry?: unknown;
  coordinates?: unknown;
  geoproperty?: unknown;
}

/** Coordinates of a large polygon can be long, but a URL or a query body beyond this is not a query. */
const MAX_COORDINATES_LENGTH = 1 << 20;
const referenceTypes = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon'];
const near = /^near;(maxDistance|minDistance)(?:==|:)(.*)$/;
/** PositiveNumber: RFC 8259 number without the minus sign, non-zero. */
const positiveNumber = /^(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const bad = (detail: string) => fail<never>('BadRequestData', detail);
const show = (x: unknown) => (typeof x === 'string' ? JSON.stringify(x.length > 80 ? `${x.slice(0, 80)}…` : x) : typeof x);

/** Undefined when no geo-query is asked for (none of georel, geometry, coordinates). */
export function parseGeoQuery(p: GeoQueryInput, tm: TermMap): Result<GeoQuery | undefined> {
  const given = (['georel', 'geometry', 'coordinates'] as const).filter((k) => p[k] !== undefined);
  if (given.length === 0) return ok(undefined);
  if (given.length < 3) {
    const missing = (['georel', 'geometry', 'coordinates'] as const).filter((k) => p[k] === undefined);
    return bad(`A geo-query needs georel, geometry and coordinates together; ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`);
  }
  const georel = parseGeoRel(p.georel);
  if (!georel.ok) return georel;
  const geometry = referenceGeometry(p.geometry, p.coordinates);
  if (!geometry.ok) return geometry;
  const geoproperty = p.geoproperty ?? 'location';
  if (typeof geoproperty !== 'string' || !isValidAttributeName(geoproperty)) return bad(`geoproperty ${show(geoproperty)} is not a valid attribute name`);
  return ok({ georel: georel.value, geometry: geometry.value, geoproperty: geoproperty === 'location' ? LOCATION : tm.expand(geoproperty) });
}

function parseGeoRel(x: unknown): Result<GeoRel> {
  if (typeof x !== 'string') return bad(`georel must be a string, not ${show(x)}`);
  if ((simpleGeoRels as readonly string[]).includes(x)) return ok({ relation: x as SimpleGeoRel });
  const m = near.exec(x);
  if (m) {
    if (!positiveNumber.test(m[2]) || !(Number(m[2]) > 0) || !Number.isFinite(Number(m[2]))) {
      return bad(`georel ${show(x)}: ${m[1]} must be a positive, non-zero number of metres`);
    }
    return ok({ relation: 'near', limit: m[1] as 'maxDistance' | 'minDistance', metres: Number(m[2]) });
  }
  if (x === 'near' || x.startsWith('near;')) return bad(`georel ${show(x)}: near needs ;maxDistance==N or ;minDistance==N (metres)`);
  const rel = x.split(';')[0];
  if ((simpleGeoRels as readonly string[]).includes(rel)) return bad(`georel ${show(x)}: distances only apply to near`);
  return bad(`georel ${show(x)} is not one of near;maxDistance==N, near;minDistance==N, ${simpleGeoRels.join(', ')}`);
}

function referenceGeometry(type: unknown, coordinates: unknown): Result<ReferenceGeometry> {
  if (typeof type !== 'string' || !referenceTypes.includes(type)) {
    return bad(`geometry ${show(type)} is not one of ${referenceTypes.join(', ')}`);
  }
  let coords = coordinates;
  if (typeof coords === 'string') {
    if (coords.length > MAX_COORDINATES_LENGTH) return bad(`coordinates are longer than ${MAX_COORDINATES_LENGTH} characters`);
    try {
      coords = JSON.parse(coords);
    } catch {
      return bad(`coordinates ${show(coordinates)} are not a JSON array`);
    }
  }
  if (!Array.isArray(coords)) return bad(`coordinates must be a JSON array, not ${show(coordinates)}`);
  const g = validateGeometry({ type, coordinates: coords });
  return g as Result<ReferenceGeometry>;
}
