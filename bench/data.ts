/**
 * The deterministic data set: entity i is a pure function of (seed, i), so the harness, the load generator
 * and the database ceiling all produce the same entities without shipping them between processes.
 * Normalized NGSI-LD modelled on the Smart Data Models examples (../shared/smart-data-models), default vocabulary.
 */

import { generator } from '../src/demo/random.js';

/** A city-sized box (central Madrid, about 11 km × 11 km), [lon, lat]. */
export const BBOX = { west: -3.75, south: 40.38, east: -3.62, north: 40.48 } as const;

/** mulberry32, the demo city's seeded generator (src/demo/random.ts); returns floats in [0, 1). */
export const prng = generator;

const TYPES = ['ParkingSpot', 'ParkingSpot', 'ParkingSpot', 'ParkingSpot', 'AirQualityObserved', 'AirQualityObserved', 'AirQualityObserved', 'Streetlight', 'Streetlight', 'Streetlight'] as const;
type EntityType = (typeof TYPES)[number];

/** 40 % ParkingSpot, 30 % AirQualityObserved, 30 % Streetlight, interleaved by index. */
export function typeAt(i: number): EntityType {
  return TYPES[i % TYPES.length];
}

/** The id of entity i; `tag` keeps ids of other runs or workloads (fresh entities) apart from the data set. */
export function idAt(i: number, tag = 'bench'): string {
  return `urn:ngsi-ld:${typeAt(i)}:${tag}:${i}`;
}

export type Entity = Record<string, unknown> & { id: string; type: string };

const prop = (value: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Property', value, ...extra });
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A random point in the box, rounded to about 1 m. */
export function pointIn(r: () => number): [number, number] {
  return [round(BBOX.west + r() * (BBOX.east - BBOX.west), 6), round(BBOX.south + r() * (BBOX.north - BBOX.south), 6)];
}

function observedAt(r: () => number): string {
  return new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 365 * 86400) * 1000).toISOString();
}

/** Entity i of the data set (or a fresh one, with another tag). */
export function entityAt(seed: number, i: number, tag = 'bench'): Entity {
  const r = prng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
  const type = typeAt(i);
  const location = { type: 'GeoProperty', value: { type: 'Point', coordinates: pointIn(r) } };
  const base = { id: idAt(i, tag), type, location };
  if (type === 'ParkingSpot') {
    return {
      ...base,
      status: prop(r() < 0.6 ? 'free' : 'occupied', { observedAt: observedAt(r) }),
      category: prop([r() < 0.8 ? 'onStreet' : 'offStreet']),
      name: prop(`P-${i}`),
      refParkingSite: { type: 'Relationship', object: `urn:ngsi-ld:ParkingSite:bench:${i % 500}` },
    };
  }
  if (type === 'AirQualityObserved') {
    return {
      ...base,
      dateObserved: prop(observedAt(r)),
      no2: prop(Math.floor(5 + r() * 95), { unitCode: 'GQ' }),
      pm10: prop(Math.floor(2 + r() * 78), { unitCode: 'GQ' }),
      temperature: prop(round(-5 + r() * 45, 1), { unitCode: 'CEL' }),
      airQualityLevel: prop(['good', 'moderate', 'unhealthy'][Math.floor(r() * 3)]),
    };
  }
  return {
    ...base,
    status: prop(r() < 0.95 ? 'ok' : 'defectiveLamp'),
    powerState: prop(r() < 0.5 ? 'on' : 'off'),
    lanternHeight: prop(Math.floor(4 + r() * 8), { unitCode: 'MTR' }),
    refStreetlightGroup: { type: 'Relationship', object: `urn:ngsi-ld:StreetlightGroup:bench:${i % 200}` },
  };
}

/** Entities [from, from + count) as one batch. */
export function batchAt(seed: number, from: number, count: number, tag = 'bench'): Entity[] {
  return Array.from({ length: count }, (_, k) => entityAt(seed, from + k, tag));
}
