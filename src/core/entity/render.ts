/**
 * Renders stored entities into the NGSI-LD representations a client asked for (ETSI GS CIM 009 V1.8.1):
 * normalized, concise and simplified (clause 4.5), the `lang` filter (clause 4.15), pick/omit projection
 * (clause 4.21) and the GeoJSON Feature / FeatureCollection representation (clauses 4.5.16 and 4.5.17).
 *
 * Pure and synchronous: names are compacted with the requester's TermMap; `@context` is the caller's business.
 */
import type { TermMap } from '../context/termmap.js';
import { type Attribute, type Entity, LOCATION } from './model.js';
import { type AttributeRendering, type Format, isGeometry, renderInstances } from './render-attribute.js';
import { languageRanges } from './render-lang.js';

export type { Format } from './render-attribute.js';

export interface RenderOptions {
  format: Format;
  /** Include createdAt/modifiedAt of the entity, and of attributes and sub-attributes outside keyValues (6.3.11). */
  sysAttrs: boolean;
  /** Expanded attribute IRIs to include (the deprecated `attrs` parameter); undefined = all. */
  attrs?: ReadonlySet<string>;
  /**
   * Clause 4.21 projection: the entity members to keep, as expanded attribute IRIs plus 'id', 'type', 'scope'
   * (and 'createdAt' / 'modifiedAt', which pick drops like any other unlisted member).
   */
  pick?: ReadonlySet<string>;
  /** Same as pick, for members to drop. */
  omit?: ReadonlySet<string>;
  /** The `lang` parameter (clause 4.15). */
  lang?: string;
  /** Only instances with these datasetIds ('@none' = the default instance). */
  datasetIds?: ReadonlySet<string>;
}

export interface GeoJsonOptions extends RenderOptions {
  /** Expanded IRI of the GeoProperty that becomes the Feature geometry (`location` when empty). */
  geometryProperty: string;
}

function projected(name: string, o: RenderOptions): boolean {
  return (o.pick === undefined || o.pick.has(name)) && !(o.omit?.has(name) ?? false);
}

const oneOrMany = (xs: readonly string[]): string | string[] => (xs.length === 1 ? xs[0] : [...xs]);

function selectedInstances(instances: readonly Attribute[], o: RenderOptions): readonly Attribute[] {
  const ids = o.datasetIds;
  return ids === undefined ? instances : instances.filter((a) => ids.has(a.datasetId ?? '@none'));
}

/**
 * Renders one entity (clause 5.7.1 Retrieve Entity, and every operation returning entities).
 * Members: id, type (one compacted type as a string, several as an array), scope (likewise), createdAt/modifiedAt
 * with sysAttrs, then the selected attributes under their compacted names.
 */
export function renderEntity(e: Entity, tm: TermMap, o: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (projected('id', o)) out.id = e.id;
  if (e.types.length > 0 && projected('type', o)) out.type = oneOrMany(e.types.map((t) => tm.compact(t)));
  if (e.scope !== undefined && e.scope.length > 0 && projected('scope', o)) out.scope = oneOrMany(e.scope);
  if (o.sysAttrs) {
    if (projected('createdAt', o)) out.createdAt = e.createdAt;
    if (projected('modifiedAt', o)) out.modifiedAt = e.modifiedAt;
  }
  const r: AttributeRendering = {
    tm,
    format: o.format,
    sysAttrs: o.sysAttrs,
    lang: o.lang === undefined ? undefined : languageRanges(o.lang),
  };
  for (const [iri, stored] of Object.entries(e.attrs)) {
    if ((o.attrs !== undefined && !o.attrs.has(iri)) || !projected(iri, o)) continue;
    const instances = selectedInstances(stored, o);
    if (instances.length > 0) out[tm.compact(iri)] = renderInstances(instances, r);
  }
  return out;
}

/**
 * Clause 4.5.16.1: the geometry is the value of the default instance of the geometry GeoProperty (the sole
 * instance when none is the default), or null when the entity lacks it or it holds no GeoJSON geometry.
 * It is taken from the stored entity, so projections and datasetId filters shape `properties` only.
 */
function geometryOf(e: Entity, geometryProperty: string): unknown {
  const instances = e.attrs[geometryProperty || LOCATION] ?? [];
  const chosen =
    instances.find((a) => a.datasetId === undefined) ?? (instances.length === 1 ? instances[0] : undefined);
  return chosen !== undefined && chosen.type === 'GeoProperty' && isGeometry(chosen.value) ? chosen.value : null;
}

/**
 * Clauses 4.5.16.2 / 4.5.17: a GeoJSON Feature whose `properties` are the entity rendered in the requested
 * format (normalized, concise or simplified) without its `id`; the entity type stays in `properties`.
 */
export function renderFeature(e: Entity, tm: TermMap, o: GeoJsonOptions): Record<string, unknown> {
  const properties = renderEntity(e, tm, o);
  delete properties.id;
  return { id: e.id, type: 'Feature', geometry: geometryOf(e, o.geometryProperty), properties };
}

/** Clause 4.5.16.3: a FeatureCollection of Features (the caller adds one `@context`, none per Feature). */
export function renderFeatureCollection(
  es: readonly Entity[],
  tm: TermMap,
  o: GeoJsonOptions,
): Record<string, unknown> {
  return { type: 'FeatureCollection', features: es.map((e) => renderFeature(e, tm, o)) };
}
