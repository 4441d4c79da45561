/**
 * The demo city as the documents a city operator would send: NGSI-LD entities (normalized, in the default vocabulary:
 * the Smart Data Models' type and attribute names with no @context, as the IoT agent names what it writes) and the
 * IoT agent's config groups and devices (FIWARE provisioning API), which map each device's MQTT measures onto its
 * entity's attributes. Entities carry first readings, so the map is alive before the first measure arrives.
 */
import { AXES } from './city.js';
import { KINDS, type Measure, type Thing } from './catalogue.js';
import { FLOOD_LEVELS, type Moment } from './readings.js';

type Json = Record<string, unknown>;

const prop = (value: unknown): Json => ({ type: 'Property', value });
const rel = (object: string): Json => ({ type: 'Relationship', object });

/** The id of the on-street parking zone of a street (the `refParkingSite` of its spots). */
const zoneId = (axis: string) => `urn:ngsi-ld:OnStreetParking:santander-${axis}`;

/** An attribute as the IoT agent writes a measure of `m` (src/iot/measures/convert.ts): typed, with unit and observedAt. */
function measureAttribute(m: Measure, value: unknown, observedAt: string): Json {
  const v = m.type === 'DateTime' ? { '@type': 'DateTime', '@value': value } : value;
  return { type: 'Property', value: v, observedAt, ...(m.unit ? { unitCode: m.unit } : {}) };
}

const WASTE = ['organic', 'inorganic', 'paper', 'glass', 'plastic'];

/** Attributes that no device measures: what a city's inventory knows of each thing. */
const STATIC: Record<string, (t: Thing) => Json> = {
  ParkingSpot: (t) => ({ category: prop(['onStreet']), refParkingSite: rel(zoneId(t.axis)) }),
  OffStreetParking: (t) => ({ name: prop(`Aparcamiento ${t.street}`), totalSpotNumber: prop(t.capacity) }),
  BikeHireDockingStation: (t) => ({ name: prop(`TusBic ${t.street} ${t.index + 1}`), totalSlotNumber: prop(t.capacity) }),
  TrafficFlowObserved: (t) => ({ name: prop(t.street), laneId: prop(1), laneDirection: prop(t.index % 2 === 0 ? 'forward' : 'backward') }),
  AirQualityObserved: (t) => ({ name: prop(`Calidad del aire ${t.street}`), typeofLocation: prop('outdoor') }),
  NoiseLevelObserved: (t) => ({ name: prop(`Sonómetro ${t.street}`), sonometerClass: prop('1') }),
  WeatherObserved: (t) => ({ name: prop(`Estación meteorológica ${t.street}`) }),
  FloodMonitoring: (t) => ({
    name: prop(`Nivel de agua ${t.street}`),
    stationID: prop(t.deviceId),
    referenceLevel: prop(FLOOD_LEVELS.reference),
    alertLevel: prop(FLOOD_LEVELS.alert),
    dangerLevel: prop(FLOOD_LEVELS.danger),
  }),
  WasteContainer: (t) => ({ storedWasteKind: prop(WASTE[t.index % WASTE.length]), storedWasteOrigin: prop('municipal'), status: prop('ok') }),
  Streetlight: (t) => ({
    // a few lamps are out, as in any city
    status: prop(t.index % 37 === 5 ? 'defectiveLamp' : 'ok'),
    locationCategory: prop('road'),
    lanternHeight: prop(8),
    controllingMethod: prop('group'),
  }),
};

const address = (street: string) => prop({ streetAddress: street, addressLocality: 'Santander', addressRegion: 'Cantabria', addressCountry: 'ES' });

/** The entity of a thing, with its readings at `m`. */
export function entityOf(t: Thing, m: Moment): Json {
  const reading = t.kind.read(t, m);
  const measured: Json = {};
  for (const x of t.kind.measures) measured[x.name] = measureAttribute(x, reading[x.name], m.iso);
  return {
    id: t.entityId,
    type: t.kind.type,
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: t.at } },
    address: address(t.street),
    ...STATIC[t.kind.type](t),
    ...measured,
  };
}

/** One on-street parking zone per street with spots (no device: an inventory entity the spots point to). */
export function zonesOf(things: readonly Thing[]): Json[] {
  const spots = new Map<string, number>();
  for (const t of things) if (t.kind.type === 'ParkingSpot') spots.set(t.axis, (spots.get(t.axis) ?? 0) + 1);
  return AXES.filter((a) => spots.has(a.key)).map((a) => ({
    id: zoneId(a.key),
    type: 'OnStreetParking',
    name: prop(`Zona OLA ${a.name}`),
    totalSpotNumber: prop(spots.get(a.key)),
    location: { type: 'GeoProperty', value: { type: 'LineString', coordinates: a.points } },
    address: address(a.name),
  }));
}

/** The config groups, one per kind: its API key, entity type and attribute mappings (explicitAttrs: nothing else is written). */
export function groupsOf(): Json[] {
  return KINDS.map((k) => ({
    apikey: k.apikey,
    resource: '/iot/json',
    entity_type: k.type,
    protocol: 'IoTA-JSON',
    transport: 'MQTT',
    explicitAttrs: true,
    attributes: k.measures.map((m) => ({ object_id: m.name, name: m.name, type: m.type, ...(m.unit ? { metadata: { unitCode: { type: 'Text', value: m.unit } } } : {}) })),
  }));
}

export function deviceOf(t: Thing): Json {
  return { device_id: t.deviceId, apikey: t.kind.apikey, entity_name: t.entityId, entity_type: t.kind.type, protocol: 'IoTA-JSON', transport: 'MQTT' };
}
