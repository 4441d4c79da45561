/**
 * The city map: every located entity of the tenant, coloured by its state (state.ts), clustered when dense, kept
 * up to date by the live stream. No tile server: the basemap is the demo city's street axes when Mimosa serves
 * them, else a grid over the entities' extent (basemap.ts). `?focus=<id>` opens it zoomed in on one entity, drawn
 * alone (the entity page links to it).
 */
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { entityPath, entityTypes, firstType, queryAll, tenant, type KeyValues } from '../api';
import { drawBasemap } from '../basemap';
import { gridCluster, type Placed } from '../cluster';
import { liveEpoch, useLiveChanges } from '../live';
import { useValue } from '../signal';
import { LEGEND, lookOf, positionOf } from '../state';

/** Cluster cell in pixels; from this zoom on every entity is drawn alone. */
const CELL = 56;
const NO_CLUSTER_ZOOM = 18;

interface Change {
  id: string;
  type: string;
  text: string;
  at: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function markerFor(e: KeyValues, at: L.LatLng): L.Marker {
  const look = lookOf(e);
  const html = `<span class="marker marker-${look.kind}" style="background:${look.colour}" data-id="${escapeHtml(e.id)}" data-state="${escapeHtml(look.state)}">${escapeHtml(look.letter)}</span>`;
  const m = L.marker(at, {
    icon: L.divIcon({ html, className: 'entity-marker', iconSize: [22, 22] }),
    title: `${e.id}: ${look.label}`,
    alt: `${e.id}: ${look.label}`,
    riseOnHover: true,
  });
  m.bindPopup(`<strong>${escapeHtml(firstType(e))}</strong><br>${escapeHtml(look.label)}<br><a href="${entityPath(e.id)}" data-page>${escapeHtml(e.id)}</a>`);
  return m;
}

function clusterFor(group: Placed<[KeyValues, L.LatLng]>[], map: L.Map): L.Marker {
  const bounds = L.latLngBounds(group.map((p) => p.item[1]));
  const n = group.length;
  const size = n < 10 ? 30 : n < 100 ? 36 : 44;
  const m = L.marker(bounds.getCenter(), {
    icon: L.divIcon({ html: `<span data-count="${n}">${n}</span>`, className: 'entity-cluster', iconSize: [size, size] }),
    title: `${n} entities; select to zoom in`,
    alt: `${n} entities`,
  });
  m.on('click', () => map.fitBounds(bounds.pad(0.3), { maxZoom: NO_CLUSTER_ZOOM }));
  return m;
}

/** Draws the entities on the layer: clusters at the current zoom, only what is in view. */
function drawEntities(map: L.Map, layer: L.LayerGroup, entities: Map<string, KeyValues>): void {
  layer.clearLayers();
  const zoom = map.getZoom();
  const view = map.getBounds().pad(0.2);
  const placed: Placed<[KeyValues, L.LatLng]>[] = [];
  for (const e of entities.values()) {
    const pos = positionOf(e);
    if (!pos) continue;
    const at = L.latLng(pos[0], pos[1]);
    if (!view.contains(at)) continue;
    const p = map.project(at, zoom);
    placed.push({ item: [e, at], x: p.x, y: p.y });
  }
  const groups = zoom >= NO_CLUSTER_ZOOM ? placed.map((p) => [p]) : gridCluster(placed, CELL);
  for (const g of groups) (g.length === 1 ? markerFor(g[0].item[0], g[0].item[1]) : clusterFor(g, map)).addTo(layer);
}

function Legend() {
  return (
    <section class="legend" aria-labelledby="legend-title">
      <h2 id="legend-title">Legend</h2>
      {LEGEND.map((g) => (
        <div>
          <h3>
            <span class={`marker marker-${g.kind}`} aria-hidden="true">
              {g.letter}
            </span>{' '}
            {g.title}
          </h3>
          <ul>
            {g.items.map(([name, colour]) => (
              <li>
                <span class="swatch" style={{ background: colour }} aria-hidden="true" /> {name}
              </li>
            ))}
          </ul>
        </div>
      ))}
      <p>
        <span class="swatch cluster-swatch" aria-hidden="true" /> several entities (select to zoom in)
      </p>
    </section>
  );
}

function describe(e: KeyValues): string {
  if (e.deletedAt) return 'deleted';
  return lookOf(e).label;
}

export function MapPage({ focus }: { focus?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const mapRef = useRef<{ map: L.Map; layer: L.LayerGroup; entities: Map<string, KeyValues>; redraw: () => void }>(undefined);
  const [count, setCount] = useState<number | undefined>(undefined);
  const [error, setError] = useState('');
  const [changes, setChanges] = useState<Change[]>([]);
  const epoch = useValue(liveEpoch);
  const t = useValue(tenant);

  useEffect(() => {
    const map = L.map(box.current!, { zoomControl: true, attributionControl: false, minZoom: 2, maxZoom: 20, keyboard: true });
    const layer = L.layerGroup().addTo(map);
    const entities = new Map<string, KeyValues>();
    let frame = 0;
    const redraw = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => drawEntities(map, layer, entities));
    };
    map.on('moveend zoomend', redraw);
    map.setView([0, 0], 2);
    mapRef.current = { map, layer, entities, redraw };
    return () => {
      cancelAnimationFrame(frame);
      map.remove();
    };
  }, []);

  useEffect(() => {
    const m = mapRef.current!;
    let stale = false;
    (async () => {
      const types = await entityTypes();
      const all: KeyValues[] = [];
      for (const type of types) all.push(...(await queryAll(new URLSearchParams({ type, options: 'keyValues' }))));
      if (stale) return;
      m.entities.clear();
      for (const e of all) if (positionOf(e)) m.entities.set(e.id, e);
      setCount(m.entities.size);
      await drawBasemap(m.map, [...m.entities.values()].map(positionOf) as [number, number][]);
      const focused = focus === undefined ? undefined : m.entities.get(focus);
      if (focused) m.map.setView(positionOf(focused)!, NO_CLUSTER_ZOOM);
      m.redraw();
    })().catch((e: Error) => setError(e.message));
    return () => void (stale = true);
  }, [epoch, t, focus]);

  const onChanges = useCallback((list: KeyValues[]) => {
    const m = mapRef.current;
    if (!m) return;
    const now = new Date().toLocaleTimeString();
    for (const e of list) {
      if (e.deletedAt) m.entities.delete(e.id);
      else if (positionOf(e)) m.entities.set(e.id, e);
    }
    setCount(m.entities.size);
    m.redraw();
    setChanges((old) => [...list.map((e) => ({ id: e.id, type: firstType(e), text: describe(e), at: now })), ...old].slice(0, 12));
  }, []);
  useLiveChanges(onChanges);

  return (
    <div class="map-page">
      <section class="map-wrap" aria-label="City map">
        <h1 class="visually-hidden">City map</h1>
        <div ref={box} class="map" id="map" role="application" aria-label="Map of the city's located entities; use the arrow keys to pan and + or - to zoom" />
        <p class="map-count" aria-live="polite">
          {error ? `Cannot load the entities: ${error}` : count === undefined ? 'Loading entities…' : `${count} located entities`}
        </p>
      </section>
      <aside class="map-side">
        <Legend />
        <section aria-labelledby="changes-title">
          <h2 id="changes-title">Live changes</h2>
          <ol id="live-log" class="live-log" aria-live="polite">
            {changes.length === 0 && <li class="muted">No change since the page opened.</li>}
            {changes.map((c) => (
              <li>
                <time>{c.at}</time>{' '}
                <a href={entityPath(c.id)} data-page>
                  {c.id}
                </a>{' '}
                <span class="muted">{c.text}</span>
              </li>
            ))}
          </ol>
        </section>
      </aside>
    </div>
  );
}
