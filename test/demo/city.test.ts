/**
 * The demo city without a broker: where its sensors stand, and whether what they read is plausible hour by hour
 * (src/demo/readings.ts are pure functions of seed, sensor and time, so any hour is checked without waiting for it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AXES, CITY_BBOX, demoCityGeometry, type Position } from '../../src/demo/city.js';
import { demoThings, KINDS, type Thing } from '../../src/demo/catalogue.js';
import { entityOf, groupsOf, zonesOf } from '../../src/demo/documents.js';
import { generator } from '../../src/demo/random.js';
import { moment, rain, type Reading } from '../../src/demo/readings.js';
import { payloadOf } from '../../src/demo/simulator.js';

const SEED = 8;
const things = demoThings(SEED);

/** Metres from `p` to the nearest segment of `line` (equirectangular: plenty over a few km). */
function distance(p: Position, line: Position[]): number {
  const k = Math.cos((43.46 * Math.PI) / 180) * 111_320;
  const xy = (q: Position) => [q[0] * k, q[1] * 111_320];
  const [px, py] = xy(p);
  let best = Infinity;
  for (let i = 1; i < line.length; i++) {
    const [ax, ay] = xy(line[i - 1]);
    const [bx, by] = xy(line[i]);
    const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    best = Math.min(best, Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay))));
  }
  return best;
}

const inBox = ([lon, lat]: Position) => lon >= CITY_BBOX[0] && lon <= CITY_BBOX[2] && lat >= CITY_BBOX[1] && lat <= CITY_BBOX[3];

/** Readings of every sensor of a type at a UTC instant. */
function readAll(type: string, iso: string): Reading[] {
  const m = moment(new Date(iso), SEED);
  return things.filter((t) => t.kind.type === type).map((t) => t.kind.read(t, m));
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const avg = (type: string, iso: string, attr: string) => mean(readAll(type, iso).map((r) => r[attr] as number));

// Tuesday 11 March 2025, Santander on CET (UTC+1): 07:15Z is 8:15 local, 02:00Z is 3:00 local
const RUSH = '2025-03-11T07:15:00Z';
const EVENING_RUSH = '2025-03-11T17:30:00Z';
const NIGHT = '2025-03-11T02:00:00Z';
const MIDDAY = '2025-03-11T11:00:00Z';

describe('demo city placement', () => {
  it('demoThings should hold the Smart Data Models types in the expected numbers', () => {
    const counts = Object.fromEntries(KINDS.map((k) => [k.type, things.filter((t) => t.kind === k).length]));
    assert.deepEqual(counts, {
      ParkingSpot: 120,
      OffStreetParking: 6,
      BikeHireDockingStation: 16,
      TrafficFlowObserved: 24,
      AirQualityObserved: 12,
      NoiseLevelObserved: 12,
      WeatherObserved: 3,
      FloodMonitoring: 4,
      WasteContainer: 60,
      Streetlight: 80,
    });
    assert.equal(new Set(things.map((t) => t.entityId)).size, things.length, 'entity ids are unique');
    assert.equal(new Set(things.map((t) => t.deviceId)).size, things.length, 'device ids are unique');
    assert.match(things[0].entityId, /^urn:ngsi-ld:ParkingSpot:santander-001$/);
  });

  it('demoThings should place every sensor inside the city and within 30 m of its street', () => {
    for (const t of things) {
      assert.ok(inBox(t.at), `${t.entityId} at ${t.at} is outside the city`);
      const axis = AXES.find((a) => a.key === t.axis)!;
      assert.ok(distance(t.at, axis.points) <= 30, `${t.entityId} is ${distance(t.at, axis.points).toFixed(0)} m from ${axis.name}`);
    }
  });

  it('demoThings should give the same city for the same seed and another for another seed', () => {
    assert.deepEqual(demoThings(SEED).map((t) => t.at), things.map((t) => t.at));
    assert.notDeepEqual(demoThings(SEED + 1).map((t) => t.at), things.map((t) => t.at));
    const a = generator(42);
    const b = generator(42);
    assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
  });

  it('flood gauges should stand on waterfront streets', () => {
    for (const t of things.filter((x) => x.kind.type === 'FloodMonitoring')) assert.ok(AXES.find((a) => a.key === t.axis)!.waterfront, t.entityId);
  });

  it('demoCityGeometry should be a FeatureCollection of the street LineStrings and landmark Points inside the city', () => {
    const g = demoCityGeometry() as { type: string; features: Array<{ type: string; geometry: { type: string; coordinates: any }; properties: { name: string; kind: string } }> };
    assert.equal(g.type, 'FeatureCollection');
    const streets = g.features.filter((f) => f.properties.kind === 'street');
    assert.equal(streets.length, AXES.length);
    for (const f of g.features) {
      assert.equal(f.type, 'Feature');
      assert.ok(typeof f.properties.name === 'string' && f.properties.name.length > 0);
      const points: Position[] = f.geometry.type === 'LineString' ? f.geometry.coordinates : [f.geometry.coordinates];
      assert.ok(['LineString', 'Point'].includes(f.geometry.type));
      for (const p of points) assert.ok(inBox(p), `${f.properties.name}: ${p}`);
    }
  });
});

describe('demo city documents', () => {
  it('entityOf should give a normalized entity with a Point location and every measured attribute', () => {
    const m = moment(new Date(MIDDAY), SEED);
    for (const t of things) {
      const e = entityOf(t, m) as Record<string, any>;
      assert.equal(e.type, t.kind.type);
      assert.deepEqual(e.location, { type: 'GeoProperty', value: { type: 'Point', coordinates: t.at } });
      for (const x of t.kind.measures) {
        assert.equal(e[x.name].type, 'Property', `${t.entityId} ${x.name}`);
        assert.equal(e[x.name].observedAt, m.iso);
        if (x.type === 'DateTime') assert.equal(e[x.name].value['@type'], 'DateTime');
      }
    }
  });

  it('zonesOf should give one on-street parking zone per street with spots, which the spots point to', () => {
    const zones = zonesOf(things);
    const ids = new Set(zones.map((z) => z.id));
    const spots = things.filter((t) => t.kind.type === 'ParkingSpot');
    for (const s of spots) assert.ok(ids.has((entityOf(s, moment(new Date(MIDDAY), SEED)) as any).refParkingSite.object));
    assert.equal(zones.reduce((n, z) => n + ((z.totalSpotNumber as { value: number }).value), 0), spots.length);
  });

  it('groupsOf should map every measure a payload carries', () => {
    const m = moment(new Date(MIDDAY), SEED);
    for (const g of groupsOf() as Array<{ apikey: string; attributes: Array<{ object_id: string }> }>) {
      const t = things.find((x) => x.kind.apikey === g.apikey) as Thing;
      assert.deepEqual(Object.keys(JSON.parse(payloadOf(t, m))).sort(), g.attributes.map((a) => a.object_id).sort());
    }
  });
});

describe('demo city readings', () => {
  it('traffic should be heavier at the weekday rush hours than at night for the same seed', () => {
    for (const rush of [RUSH, EVENING_RUSH]) {
      assert.ok(avg('TrafficFlowObserved', rush, 'intensity') > 5 * avg('TrafficFlowObserved', NIGHT, 'intensity'));
      assert.ok(avg('TrafficFlowObserved', rush, 'averageVehicleSpeed') < avg('TrafficFlowObserved', NIGHT, 'averageVehicleSpeed'));
    }
    assert.ok(readAll('TrafficFlowObserved', NIGHT).every((r) => r.congested === false));
  });

  it('NO2 and noise should follow traffic', () => {
    assert.ok(avg('AirQualityObserved', EVENING_RUSH, 'no2') > 1.5 * avg('AirQualityObserved', NIGHT, 'no2'));
    assert.ok(avg('NoiseLevelObserved', RUSH, 'LAeq') > avg('NoiseLevelObserved', NIGHT, 'LAeq') + 10);
  });

  it('parking should be fuller in working hours than at night', () => {
    const occupied = (iso: string) => readAll('ParkingSpot', iso).filter((r) => r.status === 'occupied').length;
    assert.ok(occupied(MIDDAY) > occupied(NIGHT) + 30, `${occupied(MIDDAY)} vs ${occupied(NIGHT)}`);
    assert.ok(avg('OffStreetParking', MIDDAY, 'occupancy') > avg('OffStreetParking', NIGHT, 'occupancy') + 0.4);
  });

  it('streetlights should be on at night and off at midday', () => {
    assert.ok(readAll('Streetlight', '2025-03-11T21:00:00Z').every((r) => r.powerState === 'on' && (r.illuminanceLevel as number) > 0));
    assert.ok(readAll('Streetlight', MIDDAY).every((r) => r.powerState === 'off' && r.illuminanceLevel === 0));
  });

  it('flood gauges should stand higher after rain than after dry hours', () => {
    const wet: number[] = [];
    const dry: number[] = [];
    const start = Date.parse('2025-01-01T00:00:00Z');
    for (let t = start; t < start + 30 * 86_400_000; t += 17 * 60_000) {
      let recent = 0;
      for (let k = 0; k < 12; k++) recent += rain(SEED, t - k * 15 * 60_000) / 12;
      const level = mean(readAll('FloodMonitoring', new Date(t).toISOString()).map((r) => r.currentLevel as number));
      if (recent > 2) wet.push(level);
      else if (recent === 0) dry.push(level);
    }
    assert.ok(wet.length > 50 && dry.length > 50, `${wet.length} wet and ${dry.length} dry samples`);
    assert.ok(mean(wet) > mean(dry) + 0.2, `${mean(wet)} after rain, ${mean(dry)} dry`);
  });

  it('waste containers should fill up and be emptied', () => {
    const levels = (iso: string) => readAll('WasteContainer', iso).map((r) => r.fillingLevel as number);
    let emptied = 0;
    for (let h = 0; h < 96; h++) {
      const before = levels(new Date(Date.parse(MIDDAY) + h * 3_600_000).toISOString());
      const after = levels(new Date(Date.parse(MIDDAY) + (h + 1) * 3_600_000).toISOString());
      emptied += before.filter((b, i) => after[i] < b - 0.2).length;
    }
    assert.ok(emptied >= 60, `${emptied} emptyings over four days`);
  });

  it('every reading should stay within its Smart Data Models bounds at any hour', () => {
    for (let h = 0; h < 48; h++) {
      const m = moment(new Date(Date.parse('2025-07-05T00:00:00Z') + h * 1_830_000), SEED);
      for (const t of things) {
        const r = t.kind.read(t, m);
        for (const k of ['occupancy', 'relativeHumidity', 'fillingLevel', 'illuminanceLevel']) if (k in r) assert.ok((r[k] as number) >= 0 && (r[k] as number) <= 1, `${k} ${r[k]}`);
        for (const k of ['availableSpotNumber', 'occupiedSpotNumber', 'availableBikeNumber', 'freeSlotNumber']) {
          if (k in r) assert.ok(Number.isInteger(r[k]) && (r[k] as number) >= 0 && (r[k] as number) <= t.capacity, `${k} ${r[k]}`);
        }
        for (const [k, v] of Object.entries(r)) if (typeof v === 'number') assert.ok(Number.isFinite(v) && (k === 'temperature' || v >= 0), `${t.entityId} ${k} ${v}`);
      }
    }
  });
});
