/**
 * The demo city's ground: Santander (Cantabria, Spain), a SynchroniCity pilot city. Its main street axes and a few
 * landmarks are written here from approximate real coordinates ([longitude, latitude], WGS 84), so that the demo needs
 * no download; sensors are placed along the axes deterministically (src/demo/catalogue.ts). The same axes are the
 * portal's offline basemap (`demoCityGeometry`, served at GET /mimosa/demo/basemap.geojson).
 */

export type Position = [number, number];

export interface Axis {
  /** Short key, used in entity ids and to pick the axes a kind of sensor lines. */
  key: string;
  name: string;
  /** Whether the street runs along the bay or the sea front (flood gauges sit there). */
  waterfront: boolean;
  points: Position[];
}

/** [west, south, east, north]: every axis, landmark and demo entity lies inside. */
export const CITY_BBOX: readonly [number, number, number, number] = [-3.84, 43.44, -3.765, 43.485];

export const AXES: readonly Axis[] = [
  { key: 'pereda', name: 'Paseo de Pereda', waterfront: true, points: [[-3.8082, 43.4613], [-3.804, 43.4611], [-3.8, 43.4617], [-3.796, 43.4627], [-3.7935, 43.4636]] },
  { key: 'hernan-cortes', name: 'Calle Hernán Cortés', waterfront: false, points: [[-3.807, 43.4622], [-3.803, 43.4624], [-3.799, 43.463], [-3.795, 43.464]] },
  { key: 'reina-victoria', name: 'Avenida Reina Victoria', waterfront: true, points: [[-3.7935, 43.4636], [-3.7895, 43.4652], [-3.785, 43.4663], [-3.78, 43.4672], [-3.776, 43.4688], [-3.7725, 43.4705]] },
  { key: 'castilla', name: 'Calle Castilla', waterfront: false, points: [[-3.8095, 43.4598], [-3.816, 43.4578], [-3.823, 43.4555], [-3.83, 43.4532]] },
  { key: 'hermida', name: 'Calle Marqués de la Hermida', waterfront: true, points: [[-3.8085, 43.4585], [-3.815, 43.4563], [-3.822, 43.454], [-3.829, 43.4516]] },
  { key: 'san-fernando', name: 'Calle San Fernando', waterfront: false, points: [[-3.825, 43.4575], [-3.82, 43.46], [-3.815, 43.462], [-3.8115, 43.4633]] },
  { key: 'vargas', name: 'Calle Vargas', waterfront: false, points: [[-3.8165, 43.4577], [-3.817, 43.461], [-3.818, 43.4645]] },
  { key: 'davila', name: 'Paseo del General Dávila', waterfront: false, points: [[-3.827, 43.461], [-3.818, 43.4645], [-3.808, 43.466], [-3.799, 43.467], [-3.792, 43.4685]] },
  { key: 'castros', name: 'Avenida de los Castros', waterfront: false, points: [[-3.808, 43.471], [-3.8, 43.4718], [-3.793, 43.4728], [-3.787, 43.474]] },
  { key: 'perez-galdos', name: 'Paseo de Pérez Galdós', waterfront: false, points: [[-3.785, 43.4663], [-3.786, 43.4695], [-3.7858, 43.4722]] },
  { key: 'sardinero', name: 'Avenida de Castañeda', waterfront: true, points: [[-3.7858, 43.4728], [-3.785, 43.476], [-3.7835, 43.479], [-3.781, 43.4815]] },
  { key: 'parayas', name: 'Avenida de Parayas', waterfront: false, points: [[-3.83, 43.4532], [-3.834, 43.448], [-3.836, 43.442]] },
];

const LANDMARKS: ReadonlyArray<{ name: string; at: Position }> = [
  { name: 'Ayuntamiento', at: [-3.8099, 43.4624] },
  { name: 'Catedral', at: [-3.806, 43.4607] },
  { name: 'Centro Botín', at: [-3.8018, 43.4613] },
  { name: 'Estaciones', at: [-3.8103, 43.4597] },
  { name: 'Puertochico', at: [-3.7935, 43.4636] },
  { name: 'Palacio de la Magdalena', at: [-3.766, 43.469] },
  { name: 'Gran Casino del Sardinero', at: [-3.7858, 43.4728] },
  { name: 'Hospital Valdecilla', at: [-3.83, 43.4555] },
  { name: 'Universidad de Cantabria', at: [-3.799, 43.4715] },
];

/** Metres per degree of latitude; of longitude, times cos(latitude). Plenty for a city a few km across. */
const M_PER_DEG = 111_320;
const COS_LAT = Math.cos((43.46 * Math.PI) / 180);

function metres(a: Position, b: Position): number {
  return Math.hypot((b[0] - a[0]) * M_PER_DEG * COS_LAT, (b[1] - a[1]) * M_PER_DEG);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The point `at` metres along `axis`, moved `side` metres to the left of its direction (a sidewalk, a kerb): how
 * sensors stand along a street.
 */
function along(axis: Axis, at: number, side: number): Position {
  let left = at;
  for (let i = 1; i < axis.points.length; i++) {
    const a = axis.points[i - 1];
    const b = axis.points[i];
    const len = metres(a, b);
    if (left <= len || i === axis.points.length - 1) {
      const f = Math.min(1, left / len);
      const dx = (b[0] - a[0]) * M_PER_DEG * COS_LAT;
      const dy = (b[1] - a[1]) * M_PER_DEG;
      const nx = -dy / len;
      const ny = dx / len;
      return [round6(a[0] + (b[0] - a[0]) * f + (nx * side) / (M_PER_DEG * COS_LAT)), round6(a[1] + (b[1] - a[1]) * f + (ny * side) / M_PER_DEG)];
    }
    left -= len;
  }
  return axis.points[0];
}

function length(axis: Axis): number {
  let total = 0;
  for (let i = 1; i < axis.points.length; i++) total += metres(axis.points[i - 1], axis.points[i]);
  return total;
}

interface Placement {
  axis: Axis;
  at: Position;
}

/**
 * `n` positions spread evenly over the total length of `axes` (each jittered by up to a quarter of the spacing, so
 * they do not look drawn with a ruler), alternately on either side of the street, `offset` metres from its axis.
 */
export function placeAlong(axes: readonly Axis[], n: number, offset: number, random: () => number): Placement[] {
  const lengths = axes.map(length);
  const total = lengths.reduce((s, l) => s + l, 0);
  const step = total / n;
  const out: Placement[] = [];
  for (let k = 0; k < n; k++) {
    let d = Math.min(total - 1, Math.max(0, (k + 0.5) * step + (random() - 0.5) * step * 0.5));
    let i = 0;
    while (i < axes.length - 1 && d > lengths[i]) d -= lengths[i++];
    out.push({ axis: axes[i], at: along(axes[i], d, k % 2 === 0 ? offset : -offset) });
  }
  return out;
}

/** The city's streets (LineStrings) and landmarks (Points) as a GeoJSON FeatureCollection (RFC 7946), for drawing a basemap offline. */
export function demoCityGeometry(): Record<string, unknown> {
  return {
    type: 'FeatureCollection',
    bbox: [...CITY_BBOX],
    features: [
      ...AXES.map((a) => ({ type: 'Feature', id: a.key, geometry: { type: 'LineString', coordinates: a.points }, properties: { name: a.name, kind: 'street', waterfront: a.waterfront } })),
      ...LANDMARKS.map((l) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: l.at }, properties: { name: l.name, kind: 'landmark' } })),
    ],
  };
}
