/**
 * What the demo city holds: each kind of sensor (a Smart Data Models entity type), how many, which streets they line,
 * what their devices measure (the IoT agent's attribute mappings) and how they read (src/demo/readings.ts). The same
 * seed gives the same things in the same places.
 */
import { AXES, placeAlong, type Axis, type Position } from './city.js';
import { generator } from './random.js';
import * as read from './readings.js';

/** One measured attribute: its name (also the device's object_id), FIWARE type and UN/CEFACT unit code. */
export interface Measure {
  name: string;
  type: 'Number' | 'Integer' | 'Text' | 'Boolean' | 'DateTime';
  unit?: string;
}

export interface Kind {
  /** The Smart Data Models entity type. */
  type: string;
  /** The IoT agent config group's API key (unique across tenants, as measures carry none). */
  apikey: string;
  count: number;
  axes: readonly string[] | 'all' | 'waterfront';
  /** Metres from the street's axis. */
  offset: number;
  measures: readonly Measure[];
  read: (s: read.Sensor, m: read.Moment) => read.Reading;
  /** Capacity (spots, docks, vehicles per hour) of the i-th thing; none: 0. */
  capacity?: (i: number, axis: Axis) => number;
}

export interface Thing extends read.Sensor {
  kind: Kind;
  /** NGSI-LD entity id, e.g. urn:ngsi-ld:ParkingSpot:santander-001. */
  entityId: string;
  /** The device's id at the IoT agent. */
  deviceId: string;
  at: Position;
  street: string;
}

const n = (name: string, unit?: string): Measure => ({ name, type: 'Number', ...(unit ? { unit } : {}) });
const int = (name: string): Measure => ({ name, type: 'Integer' });
const text = (name: string): Measure => ({ name, type: 'Text' });
const time = (name: string): Measure => ({ name, type: 'DateTime' });

const CENTRE = ['pereda', 'hernan-cortes', 'castilla', 'hermida', 'san-fernando', 'vargas', 'castros'];

export const KINDS: readonly Kind[] = [
  { type: 'ParkingSpot', apikey: 'santander-parking', count: 120, axes: CENTRE, offset: 5, measures: [text('status')], read: read.parkingSpot },
  {
    type: 'OffStreetParking', apikey: 'santander-carpark', count: 6, axes: ['pereda', 'san-fernando', 'reina-victoria', 'castros', 'sardinero', 'parayas'], offset: 25,
    measures: [int('availableSpotNumber'), int('occupiedSpotNumber'), n('occupancy', 'C62')], read: read.offStreetParking, capacity: (i) => 200 + 50 * (i % 5),
  },
  {
    type: 'BikeHireDockingStation', apikey: 'santander-tusbic', count: 16, axes: ['pereda', 'reina-victoria', 'castilla', 'hermida', 'castros', 'sardinero', 'davila'], offset: 10,
    measures: [int('availableBikeNumber'), int('freeSlotNumber'), text('status')], read: read.bikeStation, capacity: (i) => 12 + 4 * (i % 3),
  },
  {
    type: 'TrafficFlowObserved', apikey: 'santander-traffic', count: 24, axes: 'all', offset: 0, capacity: (_i, a) => (read.ARTERIES.has(a.key) ? 1400 : 900),
    measures: [n('intensity'), n('averageVehicleSpeed', 'KMH'), n('occupancy', 'C62'), { name: 'congested', type: 'Boolean' }, time('dateObserved')], read: read.trafficFlow,
  },
  {
    type: 'AirQualityObserved', apikey: 'santander-air', count: 12, axes: 'all', offset: 6,
    measures: [n('no2', 'GQ'), n('pm10', 'GQ'), n('pm25', 'GQ'), n('o3', 'GQ'), time('dateObserved')], read: read.airQuality,
  },
  {
    type: 'NoiseLevelObserved', apikey: 'santander-noise', count: 12, axes: 'all', offset: 6,
    measures: [n('LAeq', '2N'), n('LAmax', '2N'), time('dateObservedFrom'), time('dateObservedTo')], read: read.noiseLevel,
  },
  {
    type: 'WeatherObserved', apikey: 'santander-weather', count: 3, axes: ['davila', 'sardinero', 'castilla'], offset: 15,
    measures: [n('temperature', 'CEL'), n('relativeHumidity', 'C62'), n('precipitation', 'MMT'), n('windSpeed', 'MTS'), n('atmosphericPressure', 'A97'), time('dateObserved')],
    read: read.weather,
  },
  {
    type: 'FloodMonitoring', apikey: 'santander-flood', count: 4, axes: 'waterfront', offset: 12,
    measures: [n('currentLevel', 'MTR'), text('floodLevelStatus'), time('observationDateTime')], read: read.floodGauge,
  },
  {
    type: 'WasteContainer', apikey: 'santander-waste', count: 60, axes: 'all', offset: 4,
    measures: [n('fillingLevel', 'C62'), time('dateLastEmptying')], read: read.wasteContainer,
  },
  {
    type: 'Streetlight', apikey: 'santander-lighting', count: 80, axes: 'all', offset: 8,
    measures: [text('powerState'), n('illuminanceLevel', 'C62'), n('powerConsumption', 'WTT')], read: read.streetlight,
  },
];

function axesOf(k: Kind): Axis[] {
  if (k.axes === 'all') return [...AXES];
  if (k.axes === 'waterfront') return AXES.filter((a) => a.waterfront);
  const keys = k.axes;
  return AXES.filter((a) => keys.includes(a.key));
}

const pad = (i: number) => String(i + 1).padStart(3, '0');

/** Every sensor of the demo city, kind by kind; each kind draws from a generator of its own, so kinds do not move one another. */
export function demoThings(seed: number): Thing[] {
  return KINDS.flatMap((kind, k) => {
    const places = placeAlong(axesOf(kind), kind.count, kind.offset, generator(seed * 31 + k));
    return places.map((p, i) => ({
      kind,
      index: i,
      id: `${kind.type}-${i}`,
      entityId: `urn:ngsi-ld:${kind.type}:santander-${pad(i)}`,
      deviceId: `santander-${kind.type.toLowerCase()}-${pad(i)}`,
      at: p.at,
      axis: p.axis.key,
      street: p.axis.name,
      capacity: kind.capacity?.(i, p.axis) ?? 0,
    }));
  });
}
