/**
 * What the demo city's sensors read at an instant: pure functions of (seed, sensor, time), with no state, so that any
 * instant can be computed alone (a restart continues the same city, tests check an hour without waiting for it).
 * The shapes are plausible rather than measured: traffic peaks at the rush hours of a Spanish working day (about 8:15
 * and 18:30, local time), NO2 and noise follow traffic, parking fills in working hours, rain comes in episodes of a
 * few hours that wash particles out and raise the flood gauges (on top of the bay's tide), waste containers fill
 * until their round empties them, and streetlights are on from sunset to sunrise.
 */
import { hash01 } from './random.js';

export type Reading = Record<string, number | string | boolean>;

/** A sensor as the readings see it. */
export interface Sensor {
  id: string;
  index: number;
  /** The street it stands on (src/demo/city.ts AXES keys). */
  axis: string;
  /** Spots, docks, or vehicles per hour (traffic). */
  capacity: number;
}

/** An instant, with the local clock of Santander (Europe/Madrid) that daily cycles follow. */
export interface Moment {
  at: Date;
  iso: string;
  /** Local hour of day, fractional (8.5 = 8:30). */
  hour: number;
  weekend: boolean;
  seed: number;
}

const LOCAL = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Madrid', hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });

export function moment(at: Date, seed: number): Moment {
  const parts = Object.fromEntries(LOCAL.formatToParts(at).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour) + Number(parts.minute) / 60 + at.getUTCSeconds() / 3600;
  const day = parts.weekday;
  const weekend = day === 'Sat' || day === 'Sun';
  return { at, iso: at.toISOString(), hour, weekend, seed };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A bell around `centre` (hours, across midnight too) of width `sigma`. */
function bell(hour: number, centre: number, sigma: number): number {
  const d = Math.abs(hour - centre);
  const w = Math.min(d, 24 - d);
  return Math.exp(-(w * w) / (2 * sigma * sigma));
}

/** 1 between `from` and `to` (local hours), ramping over about half an hour at each end. */
function window(hour: number, from: number, to: number): number {
  const s = (x: number) => 1 / (1 + Math.exp(-x * 8));
  return s(hour - from) * s(to - hour);
}

/** A per-second wobble in [-0.5, 0.5) of one sensor, so that consecutive measures differ a little. */
const jitter = (m: Moment, s: Sensor, what: string) => hash01(m.seed, s.id, what, Math.floor(m.at.getTime() / 1000)) - 0.5;

/** Traffic level in [0, 1]: the city's daily cycle, weekday rush hours or a weekend's late, flatter day. */
function trafficLevel(m: Moment): number {
  const h = m.hour;
  if (m.weekend) return clamp(0.05 + 0.55 * bell(h, 13, 3.5) + 0.3 * bell(h, 20.5, 2), 0, 1);
  return clamp(0.05 + 0.95 * bell(h, 8.25, 0.9) + 0.9 * bell(h, 18.5, 1.2) + 0.45 * bell(h, 13.5, 2.5), 0, 1);
}

/** Rain in mm/h: a third of three-hour blocks hold an episode, rising to its peak and easing off. */
export function rain(seed: number, t: number): number {
  const block = Math.floor(t / (3 * HOUR));
  if (hash01(seed, 'rain', block) >= 1 / 3) return 0;
  const peak = 1 + 7 * hash01(seed, 'rain-peak', block);
  return peak * Math.sin(Math.PI * ((t % (3 * HOUR)) / (3 * HOUR)));
}

/** Hours of daylight at Santander's latitude (43.46° N) on this day: about 9 in December, 15.4 in June. */
function daylight(at: Date): number {
  const dayOfYear = (at.getTime() - Date.UTC(at.getUTCFullYear(), 0, 1)) / DAY;
  return 12 + 3.25 * Math.sin((2 * Math.PI * (dayOfYear - 80)) / 365);
}

/** Whether the sun is up: solar noon at Santander (3.8° W) is at about 12:15 UTC. */
function sunUp(at: Date): boolean {
  const utcHour = at.getUTCHours() + at.getUTCMinutes() / 60;
  return Math.abs(utcHour - 12.25) < daylight(at) / 2;
}

const CENTRE = new Set(['pereda', 'hernan-cortes', 'castilla', 'hermida', 'san-fernando', 'vargas']);
/** The main roads into and across the city: more traffic, more exposure. */
export const ARTERIES = new Set(['castilla', 'hermida', 'parayas', 'davila']);

export function trafficFlow(s: Sensor, m: Moment): Reading {
  const level = clamp(trafficLevel(m) * (1 + 0.16 * jitter(m, s, 'q')), 0, 1);
  const wet = rain(m.seed, m.at.getTime()) > 0 ? 0.88 : 1;
  return {
    intensity: Math.round(s.capacity * level),
    averageVehicleSpeed: round(50 * (1 - 0.6 * level * level) * wet, 1),
    occupancy: round(0.04 + 0.6 * level * level, 3),
    congested: level > 0.85,
    dateObserved: m.iso,
  };
}

export function airQuality(s: Sensor, m: Moment): Reading {
  const lagged = trafficLevel({ ...m, hour: (m.hour + 23.5) % 24 });
  const washed = rain(m.seed, m.at.getTime()) > 0 ? 0.65 : 1;
  const exposure = CENTRE.has(s.axis) || ARTERIES.has(s.axis) ? 1 : 0.7;
  const no2 = (12 + 55 * lagged * exposure + 6 * jitter(m, s, 'no2')) * washed;
  const pm10 = (14 + 18 * lagged * exposure + 6 * jitter(m, s, 'pm10')) * washed;
  const o3 = Math.max(5, 25 + (sunUp(m.at) ? 45 : 0) * bell(m.hour, 15, 3) - 0.35 * no2 + 4 * jitter(m, s, 'o3'));
  return { no2: round(no2, 1), pm10: round(pm10, 1), pm25: round(pm10 * 0.55, 1), o3: round(o3, 1), dateObserved: m.iso };
}

export function noiseLevel(s: Sensor, m: Moment): Reading {
  const minute = Math.floor(m.at.getTime() / 60_000);
  // sirens, works, a bus braking: a few minutes an hour, at random, louder
  const event = hash01(m.seed, s.id, 'peak', minute) < 0.05 ? 12 : 0;
  const nightlife = m.weekend && CENTRE.has(s.axis) && (m.hour >= 23 || m.hour < 3) ? 8 : 0;
  const laeq = 48 + 22 * trafficLevel(m) + 4 * jitter(m, s, 'laeq') + event + nightlife;
  const from = new Date(m.at.getTime() - 60_000).toISOString();
  return { LAeq: round(laeq, 1), LAmax: round(laeq + 8 + 12 * (jitter(m, s, 'lamax') + 0.5), 1), dateObservedFrom: from, dateObservedTo: m.iso };
}

export function weather(s: Sensor, m: Moment): Reading {
  const dayOfYear = (m.at.getTime() - Date.UTC(m.at.getUTCFullYear(), 0, 1)) / DAY;
  const mm = rain(m.seed, m.at.getTime());
  const seasonal = 15 - 5 * Math.cos((2 * Math.PI * (dayOfYear - 20)) / 365);
  const temperature = seasonal + 3.5 * Math.sin((2 * Math.PI * (m.hour - 9)) / 24) - (mm > 0 ? 1.5 : 0) + 0.3 * jitter(m, s, 't');
  const humidity = clamp(0.72 - 0.12 * Math.sin((2 * Math.PI * (m.hour - 9)) / 24) + (mm > 0 ? 0.2 : 0) + 0.02 * jitter(m, s, 'h'), 0.3, 1);
  const block = Math.floor(m.at.getTime() / (3 * HOUR));
  return {
    temperature: round(temperature, 1),
    relativeHumidity: round(humidity, 2),
    precipitation: round(mm, 1),
    windSpeed: round(3 + 3 * hash01(m.seed, 'wind', block) + mm / 4 + 0.5 * jitter(m, s, 'w'), 1),
    atmosphericPressure: round(1016 - 1.5 * mm + 6 * (hash01(m.seed, 'pressure', Math.floor(m.at.getTime() / DAY)) - 0.5), 1),
    dateObserved: m.iso,
  };
}

/** Flood gauges: the bay's semi-diurnal tide plus the rain of the last three hours. */
export const FLOOD_LEVELS = { reference: 0.6, alert: 1.2, danger: 1.6 } as const;

export function floodGauge(s: Sensor, m: Moment): Reading {
  const t = m.at.getTime();
  let recent = 0;
  for (let k = 0; k < 12; k++) recent += rain(m.seed, t - k * 15 * 60_000) / 12;
  const tide = 0.25 * Math.sin((2 * Math.PI * t) / (12.42 * HOUR) + s.index);
  const level = FLOOD_LEVELS.reference + tide + 0.12 * recent + 0.01 * jitter(m, s, 'l');
  const status = level >= FLOOD_LEVELS.danger ? 'danger' : level >= FLOOD_LEVELS.alert ? 'alert' : 'normal';
  return { currentLevel: round(level, 2), floodLevelStatus: status, observationDateTime: m.iso };
}

/** Share of on-street spots taken: high in working hours, in the evening at weekends. */
function parkingDemand(m: Moment): number {
  return m.weekend ? 0.3 + 0.4 * window(m.hour, 10, 22) : 0.3 + 0.6 * window(m.hour, 8.5, 20);
}

export function parkingSpot(s: Sensor, m: Moment): Reading {
  // each spot turns over in ten-minute slots, taken with the hour's demand
  const slot = Math.floor(m.at.getTime() / 600_000);
  return { status: hash01(m.seed, s.id, 'spot', slot) < parkingDemand(m) ? 'occupied' : 'free' };
}

export function offStreetParking(s: Sensor, m: Moment): Reading {
  const occupancy = clamp(0.15 + 0.75 * window(m.hour, 9, 20) * (m.weekend ? 0.7 : 1) + 0.06 * jitter(m, s, 'o'), 0, 1);
  const occupied = Math.round(s.capacity * occupancy);
  return { occupiedSpotNumber: occupied, availableSpotNumber: s.capacity - occupied, occupancy: round(occupied / s.capacity, 3) };
}

/** Bike stations: commuters ride into the centre in the morning and out in the evening. */
export function bikeStation(s: Sensor, m: Moment): Reading {
  const inflow = (CENTRE.has(s.axis) ? 1 : -1) * window(m.hour, 8.5, 18) * (m.weekend ? 0.3 : 1);
  const share = clamp(0.5 + 0.4 * inflow + 0.15 * jitter(m, s, 'b'), 0, 1);
  const bikes = Math.round(s.capacity * share);
  const free = s.capacity - bikes;
  const status = bikes === 0 ? 'empty' : free === 0 ? 'full' : bikes <= 2 ? 'almostEmpty' : free <= 2 ? 'almostFull' : 'working';
  return { availableBikeNumber: bikes, freeSlotNumber: free, status };
}

/** Waste containers fill over their round's period (2 to 4 days) and are emptied at its end. */
export function wasteContainer(s: Sensor, m: Moment): Reading {
  const period = (2 + (s.index % 3)) * DAY;
  const phase = hash01(m.seed, s.id, 'phase') * period;
  const since = (((m.at.getTime() - phase) % period) + period) % period;
  const rate = 0.85 + 0.25 * hash01(m.seed, s.id, 'rate');
  return {
    fillingLevel: round(clamp((since / period) * rate + 0.01 * jitter(m, s, 'f'), 0, 1), 2),
    dateLastEmptying: new Date(m.at.getTime() - since).toISOString(),
  };
}

export function streetlight(s: Sensor, m: Moment): Reading {
  const on = !sunUp(m.at);
  // dimmed in the small hours, when streets are empty
  const level = on ? (m.hour < 6 ? 0.6 : 1) : 0;
  return { powerState: on ? 'on' : 'off', illuminanceLevel: level, powerConsumption: round(on ? 90 * level + 2 * jitter(m, s, 'p') : 0.5, 1) };
}
