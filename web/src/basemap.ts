/**
 * The map's background, offline: the demo city's street axes (GeoJSON from /mimosa/demo/basemap.geojson) when
 * Mimosa serves them, else a graticule over the entities' extent, so that distances and directions still read.
 */
import L from 'leaflet';

const BASEMAP_URL = '/mimosa/demo/basemap.geojson';
let streets: Promise<GeoJSON.GeoJsonObject | undefined> | undefined;
const drawn = new WeakMap<L.Map, L.Layer>();

function loadStreets(): Promise<GeoJSON.GeoJsonObject | undefined> {
  streets ??= fetch(BASEMAP_URL).then(
    (r) => (r.ok ? (r.json() as Promise<GeoJSON.GeoJsonObject>) : undefined),
    () => undefined,
  );
  return streets;
}

/** A round step (1, 2 or 5 × 10^k degrees) giving about ten lines over the span. */
function step(span: number): number {
  const raw = Math.max(span, 1e-4) / 10;
  const k = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * k).find((s) => s >= raw)!;
}

function graticule(bounds: L.LatLngBounds): L.Layer {
  const b = bounds.pad(0.15);
  const s = step(Math.max(b.getEast() - b.getWest(), b.getNorth() - b.getSouth()));
  const lines: L.LatLngExpression[][] = [];
  for (let x = Math.floor(b.getWest() / s) * s; x <= b.getEast(); x += s) lines.push([[b.getSouth(), x], [b.getNorth(), x]]);
  for (let y = Math.floor(b.getSouth() / s) * s; y <= b.getNorth(); y += s) lines.push([[y, b.getWest()], [y, b.getEast()]]);
  return L.layerGroup([
    L.rectangle(bounds, { color: '#8d99ae', weight: 1, fillColor: '#edf2f4', fillOpacity: 0.6, interactive: false }),
    L.polyline(lines, { color: '#adb5bd', weight: 1, dashArray: '4 4', interactive: false }),
  ]);
}

function streetStyle(f?: GeoJSON.Feature): L.PathOptions {
  const major = /primary|secondary|trunk|avenue|boulevard|major/i.test(String(f?.properties?.kind ?? f?.properties?.class ?? f?.properties?.highway ?? ''));
  return { color: major ? '#8d99ae' : '#b8c0cc', weight: major ? 4 : 2, interactive: false };
}

/** A landmark: a small dot with its name beside it, under the entities. */
function landmark(f: GeoJSON.Feature, at: L.LatLng): L.Layer {
  const name = String(f.properties?.name ?? '');
  return L.circleMarker(at, { radius: 3, color: '#6c757d', weight: 1, fillOpacity: 0.8, interactive: false }).bindTooltip(name, {
    permanent: true,
    direction: 'right',
    className: 'landmark',
  });
}

/** Replaces the map's background and fits the view to it and to the entities' positions. */
export async function drawBasemap(map: L.Map, points: [number, number][]): Promise<void> {
  const previous = drawn.get(map);
  if (previous) map.removeLayer(previous);
  const data = await loadStreets();
  let bounds = points.length ? L.latLngBounds(points) : undefined;
  let layer: L.Layer | undefined;
  if (data) {
    const g = L.geoJSON(data, { style: streetStyle, interactive: false, pointToLayer: landmark });
    layer = g;
    bounds = bounds ? bounds.extend(g.getBounds()) : g.getBounds();
  } else if (bounds) {
    layer = graticule(bounds);
  }
  if (layer) {
    layer.addTo(map);
    drawn.set(map, layer);
  }
  if (bounds?.isValid()) map.fitBounds(bounds.pad(0.05), { maxZoom: 17 });
}
