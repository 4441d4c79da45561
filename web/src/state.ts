/**
 * What the map shows of an entity: its kind (shape and letter, so that colour is never the only cue) and its state
 * (colour), from the attributes of the Smart Data Models the demo city uses.
 */
import { firstType, type KeyValues } from './api';

interface Look {
  kind: 'parking' | 'air' | 'noise' | 'other';
  letter: string;
  state: string;
  colour: string;
  /** What a screen reader hears and a tooltip shows. */
  label: string;
}

/** EEA air quality index bands for NO2 (µg/m³, hourly). */
const NO2_BANDS: [number, string, string][] = [
  [40, 'good', '#2b9348'],
  [90, 'fair', '#80b918'],
  [120, 'moderate', '#e9c46a'],
  [230, 'poor', '#e76f51'],
  [340, 'very poor', '#9d0208'],
  [Infinity, 'extremely poor', '#6a040f'],
];
/** Day-time noise bands (dB(A) LAeq), after WHO guidance for road traffic. */
const NOISE_BANDS: [number, string, string][] = [
  [55, 'quiet', '#2b9348'],
  [65, 'moderate', '#e9c46a'],
  [75, 'loud', '#e76f51'],
  [Infinity, 'very loud', '#9d0208'],
];
const PARKING: Record<string, string> = { free: '#2b9348', occupied: '#c1121f', closed: '#6c757d' };
const OTHER = ['#3a86ff', '#8338ec', '#ff006e', '#fb5607', '#118ab2', '#073b4c'];

function num(...values: unknown[]): number | undefined {
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number') return (v as { value: number }).value;
  }
  return undefined;
}

function band(value: number | undefined, bands: [number, string, string][]): [string, string] {
  if (value === undefined) return ['unknown', '#6c757d'];
  const b = bands.find(([max]) => value < max)!;
  return [b[1], b[2]];
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return Math.abs(h);
}

export function lookOf(e: KeyValues): Look {
  const type = firstType(e);
  if (type === 'ParkingSpot' || type === 'OnStreetParking') {
    const state = typeof e.status === 'string' ? e.status : 'unknown';
    return { kind: 'parking', letter: 'P', state, colour: PARKING[state] ?? '#6c757d', label: `Parking spot, ${state}` };
  }
  if (type === 'AirQualityObserved') {
    const no2 = num(e.no2, e.NO2);
    const [state, colour] = band(no2, NO2_BANDS);
    return { kind: 'air', letter: 'A', state, colour, label: `Air quality ${state}${no2 === undefined ? '' : `, NO2 ${no2} µg/m³`}` };
  }
  if (type === 'NoiseLevelObserved') {
    const laeq = num(e.LAeq, e.LAeq_d, e.LAS, e.LAmax);
    const [state, colour] = band(laeq, NOISE_BANDS);
    return { kind: 'noise', letter: 'N', state, colour, label: `Noise ${state}${laeq === undefined ? '' : `, ${laeq} dB(A)`}` };
  }
  return { kind: 'other', letter: type.slice(0, 1).toUpperCase(), state: 'other', colour: OTHER[hash(type) % OTHER.length], label: type };
}

/** The legend: every state colour the map uses. */
export const LEGEND: { title: string; letter: string; kind: Look['kind']; items: [string, string][] }[] = [
  { title: 'Parking spots', letter: 'P', kind: 'parking', items: Object.entries(PARKING) },
  { title: 'Air quality (NO2)', letter: 'A', kind: 'air', items: NO2_BANDS.map(([, n, c]) => [n, c]) },
  { title: 'Noise level', letter: 'N', kind: 'noise', items: NOISE_BANDS.map(([, n, c]) => [n, c]) },
];

/** A point for the map: a Point's coordinates, else the first position of the geometry. */
export function positionOf(e: KeyValues): [number, number] | undefined {
  const g = e.location;
  if (!g || typeof g !== 'object') return undefined;
  let c: unknown = g.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') return undefined;
  return [c[1], c[0]];
}
