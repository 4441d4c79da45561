import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOCATION, type Entity } from '../core/entity/model.js';
import { isValidAttributeName } from '../core/entity/parse.js';
import { renderEntity, renderFeature, renderFeatureCollection, type RenderOptions } from '../core/entity/render.js';
import { raise } from '../core/problem.js';
import { contextHeaders, withContext, type LdContext } from './ld.js';
import { negotiate, type MediaType } from './negotiate.js';
import { datasetIdsParam, expandedSet, langParam, representationOf } from './params.js';

/** Everything that shapes how entities are answered (clause 5.7.1 / 5.7.2 parameters). */
export interface View {
  media: MediaType;
  ld: LdContext;
  render: RenderOptions;
  geometryProperty: string;
}

/** `format=geojson`: the GeoJSON representation (clause 4.5.17) asked in the URL, e.g. by a map layer that cannot set Accept. */
const GEOJSON_FORMAT = 'geojson';

/**
 * The media type of an entity answer (clause 6.3.6). With `format=geojson` it is application/geo+json, which
 * Accept must then allow (absent, a wildcard or geo+json); otherwise a 406 rather than another media type.
 */
export function entityMediaOf(req: FastifyRequest, q: Record<string, string | undefined>): MediaType {
  if (q.format === GEOJSON_FORMAT) return negotiate(req, ['application/geo+json']);
  return negotiate(req, ['application/json', 'application/ld+json', 'application/geo+json']);
}

function geometryPropertyOf(raw: string | undefined, ld: LdContext): string {
  if (raw === undefined) return LOCATION;
  if (!isValidAttributeName(raw)) raise('BadRequestData', `geometryProperty ${JSON.stringify(raw.slice(0, 200))} is not a valid attribute name`);
  return ld.tm.expand(raw);
}

/**
 * Builds the View from the common retrieval parameters: options, format, attrs, pick, omit, lang, datasetId,
 * geometryProperty. `format=geojson` names the media type, not an attribute representation: it is taken out
 * once `entityMediaOf` has chosen GeoJSON (elsewhere it is an unknown format).
 */
export function viewOf(q: Record<string, string | undefined>, media: MediaType, ld: LdContext): View {
  const rep = representationOf(q.format === GEOJSON_FORMAT && media === 'application/geo+json' ? { ...q, format: undefined } : q);
  const pick = expandedSet('pick', q.pick, ld.tm, ['id', 'type', 'scope']);
  const omit = expandedSet('omit', q.omit, ld.tm, ['id', 'type', 'scope']);
  if (pick && omit) raise('BadRequestData', 'pick and omit cannot be used together');
  const datasetIds = datasetIdsParam(q.datasetId);
  return {
    media,
    ld,
    geometryProperty: geometryPropertyOf(q.geometryProperty, ld),
    render: {
      format: rep.format,
      sysAttrs: rep.sysAttrs,
      attrs: expandedSet('attrs', q.attrs, ld.tm),
      pick,
      omit,
      lang: langParam(q.lang),
      ...(datasetIds && { datasetIds: new Set(datasetIds) }),
    },
  };
}

/** `rendered` replaces the plain rendering (linked entity retrieval nests entities in it). */
export function sendEntity(reply: FastifyReply, e: Entity, v: View, rendered?: Record<string, unknown>): FastifyReply {
  contextHeaders(reply, v.media, v.ld);
  if (v.media === 'application/geo+json') {
    return reply.send(withContext(v.media, v.ld, renderFeature(e, v.ld.tm, { ...v.render, geometryProperty: v.geometryProperty })));
  }
  return reply.send(withContext(v.media, v.ld, rendered ?? renderEntity(e, v.ld.tm, v.render)));
}

/** `render` replaces the plain rendering of each entity (linked entity retrieval nests entities with it). */
export function sendEntities(reply: FastifyReply, es: readonly Entity[], v: View, render?: (e: Entity) => Record<string, unknown>): FastifyReply {
  contextHeaders(reply, v.media, v.ld);
  if (v.media === 'application/geo+json') {
    return reply.send(withContext(v.media, v.ld, renderFeatureCollection([...es], v.ld.tm, { ...v.render, geometryProperty: v.geometryProperty })));
  }
  const one = render ?? ((e: Entity) => renderEntity(e, v.ld.tm, v.render));
  return reply.send(es.map((e) => withContext(v.media, v.ld, one(e))));
}
