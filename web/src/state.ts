/**
 * What the map shows of an entity: its kind (shape and letter, so that colour is never the only cue) and its state
 * (colour), from the attributes of the Smart Data Models the demo city uses.
 */
import { firstType, type KeyValues } from './api';

type Kind = 'parking' | 'air' | 'noise' | 'traffic' | 'waste' | 'light' | 'flood' | 'bike' | 'other';

interface Look {
  kind: Kind;
  letter: string;
  state: string;
  colour: string;
  /** What a screen reader hears and a tooltip shows. */
  label: string;
}

type Bands = [number, string, string][];

/** EEA air quality index bands for NO2 (µg/m³, hourly). */
const NO2_BANDS: Bands = [
  [40, 'good', '#2b9348'],
  [90, 'fair', '#80b918'],
  [120, 'moderate', '#e9c46a'],
  [230, 'poor', '#e76f51'],
  [340, 'very poor', '#9d0208'],
  [Infinity, 'extremely poor', '#6a040f'],
];
/** Day-time noise bands (dB(A) LAeq), after WHO guidance for road traffic. */
const NOISE_BANDS: Bands = [
  [55, 'quiet', '#2b9348'],
  [65, 'moderate', '#e9c46a'],
  [75, 'loud', '#e76f51'],
  [Infinity, 'very loud', '#9d0208'],
];
/**
 * Traffic by lane occupancy (share of time a vehicle is over the loop): flow degrades past about 15 % and queues
 * past 30 %; the sensor's own `congested` flag wins.
 */
const TRAFFIC_BANDS: Bands = [
  [0.15, 'fluid', '#2b9348'],
  [0.3, 'dense', '#e9c46a'],
  [Infinity, 'heavy', '#e76f51'],
];
const CONGESTED: [string, string] = ['congested', '#9d0208'];
/** Waste containers by filling level (0 to 1): a round is worth sending from 80 %. */
const WASTE_BANDS: Bands = [
  [0.5, 'under half', '#2b9348'],
  [0.8, 'filling', '#e9c46a'],
  [0.95, 'nearly full', '#e76f51'],
  [Infinity, 'full', '#9d0208'],
];
const PARKING: Record<string, string> = { free: '#2b9348', occupied: '#c1121f', closed: '#6c757d' };
/** Streetlights: lit, dark, or out of order (a `status` other than ok, whatever the power state). */
const LIGHT: Record<string, string> = { on: '#b07d00', off: '#343a40', defective: '#c1121f' };
/** Flood gauges: the gauge's own floodLevelStatus, else its level against its alert and danger levels. */
const FLOOD: Record<string, string> = { normal: '#118ab2', alert: '#e9a100', danger: '#9d0208' };
/** Bike stations by what a rider finds: bikes to take, few, none, or no free dock to return one. */
const BIKE: Record<string, string> = { 'bikes available': '#2b9348', 'few bikes': '#e9a100', 'no bikes': '#c1121f', 'no free dock': '#8338ec' };
const UNKNOWN = '#6c757d';
const OTHER = ['#3a86ff', '#8338ec', '#ff006e', '#fb5607', '#118ab2', '#073b4c'];

function num(...values: unknown[]): number | undefined {
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number') return (v as { value: number }).value;
  }
  return undefined;
}

function band(value: number | undefined, bands: Bands): [string, string] {
  if (value === undefined) return ['unknown', UNKNOWN];
  const b = bands.find(([max]) => value < max)!;
  return [b[1], b[2]];
}

/** A state with its colour from a table (unknown states grey). */
const named = (state: string, table: Record<string, string>): [string, string] => [state, table[state] ?? UNKNOWN];

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return Math.abs(h);
}

const percent = (x: number | undefined) => (x === undefined ? '' : `, ${Math.round(x * 100)} %`);

function floodState(e: KeyValues): string {
  if (typeof e.floodLevelStatus === 'string') return e.floodLevelStatus;
  const level = num(e.currentLevel);
  if (level === undefined) return 'unknown';
  return level >= (num(e.dangerLevel) ?? Infinity) ? 'danger' : level >= (num(e.alertLevel) ?? Infinity) ? 'alert' : 'normal';
}

function bikeState(e: KeyValues): string {
  const bikes = num(e.availableBikeNumber);
  if (bikes === undefined) return 'unknown';
  if (bikes === 0) return 'no bikes';
  if (num(e.freeSlotNumber) === 0) return 'no free dock';
  return bikes <= 2 ? 'few bikes' : 'bikes available';
}

/** Per type: the kind, letter, and the state with its colour and label. */
const RULES: Record<string, (e: KeyValues) => Look> = {
  ParkingSpot: (e) => {
    const state = typeof e.status === 'string' ? e.status : 'unknown';
    return { kind: 'parking', letter: 'P', state, colour: PARKING[state] ?? UNKNOWN, label: `Parking spot, ${state}` };
  },
  AirQualityObserved: (e) => {
    const no2 = num(e.no2, e.NO2);
    const [state, colour] = band(no2, NO2_BANDS);
    return { kind: 'air', letter: 'A', state, colour, label: `Air quality ${state}${no2 === undefined ? '' : `, NO2 ${no2} µg/m³`}` };
  },
  NoiseLevelObserved: (e) => {
    const laeq = num(e.LAeq, e.LAeq_d, e.LAS, e.LAmax);
    const [state, colour] = band(laeq, NOISE_BANDS);
    return { kind: 'noise', letter: 'N', state, colour, label: `Noise ${state}${laeq === undefined ? '' : `, ${laeq} dB(A)`}` };
  },
  TrafficFlowObserved: (e) => {
    const occupancy = num(e.occupancy);
    const [state, colour] = e.congested === true ? CONGESTED : band(occupancy, TRAFFIC_BANDS);
    const intensity = num(e.intensity);
    return { kind: 'traffic', letter: 'T', state, colour, label: `Traffic ${state}${intensity === undefined ? '' : `, ${intensity} vehicles/h`}` };
  },
  WasteContainer: (e) => {
    const filling = num(e.fillingLevel);
    const [state, colour] = band(filling, WASTE_BANDS);
    return { kind: 'waste', letter: 'W', state, colour, label: `Waste container ${state}${percent(filling)}` };
  },
  Streetlight: (e) => {
    const broken = typeof e.status === 'string' && e.status !== 'ok';
    const [state, colour] = named(broken ? 'defective' : typeof e.powerState === 'string' ? e.powerState : 'unknown', LIGHT);
    return { kind: 'light', letter: 'L', state, colour, label: `Streetlight ${state}${broken ? ` (${e.status})` : ''}` };
  },
  FloodMonitoring: (e) => {
    const [state, colour] = named(floodState(e), FLOOD);
    const level = num(e.currentLevel);
    return { kind: 'flood', letter: 'F', state, colour, label: `Water level ${state}${level === undefined ? '' : `, ${level} m`}` };
  },
  BikeHireDockingStation: (e) => {
    const [state, colour] = named(bikeState(e), BIKE);
    const bikes = num(e.availableBikeNumber);
    return { kind: 'bike', letter: 'B', state, colour, label: `Bike station, ${state}${bikes === undefined ? '' : ` (${bikes} bikes)`}` };
  },
};
RULES.OnStreetParking = RULES.ParkingSpot;

export function lookOf(e: KeyValues): Look {
  const type = firstType(e);
  const rule = RULES[type];
  if (rule) return rule(e);
  return { kind: 'other', letter: type.slice(0, 1).toUpperCase(), state: 'other', colour: OTHER[hash(type) % OTHER.length], label: type };
}

const items = (bands: Bands): [string, string][] => bands.map(([, n, c]) => [n, c]);

/** The legend: every state colour the map uses, by kind (shape and letter as on the map). */
export const LEGEND: { title: string; letter: string; kind: Kind; items: [string, string][] }[] = [
  { title: 'Parking spots', letter: 'P', kind: 'parking', items: Object.entries(PARKING) },
  { title: 'Air quality (NO2)', letter: 'A', kind: 'air', items: items(NO2_BANDS) },
  { title: 'Noise level', letter: 'N', kind: 'noise', items: items(NOISE_BANDS) },
  { title: 'Traffic (lane occupancy)', letter: 'T', kind: 'traffic', items: [...items(TRAFFIC_BANDS), CONGESTED] },
  { title: 'Waste containers (filling)', letter: 'W', kind: 'waste', items: items(WASTE_BANDS) },
  { title: 'Streetlights', letter: 'L', kind: 'light', items: Object.entries(LIGHT) },
  { title: 'Flood gauges (water level)', letter: 'F', kind: 'flood', items: Object.entries(FLOOD) },
  { title: 'Bike stations', letter: 'B', kind: 'bike', items: Object.entries(BIKE) },
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
