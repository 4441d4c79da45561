import type { FastifyReply } from 'fastify';
import { LOCATION, type Entity } from '../core/entity/model.js';
import { renderEntity, renderFeature, renderFeatureCollection, type RenderOptions } from '../core/entity/render.js';
import { raise } from '../core/problem.js';
import { contextHeaders, withContext, type LdContext } from './ld.js';
import type { MediaType } from './negotiate.js';
import { expandedSet, langParam, representationOf } from './params.js';

/** Everything that shapes how entities are answered (clause 5.7.1 / 5.7.2 parameters). */
export interface View {
  media: MediaType;
  ld: LdContext;
  render: RenderOptions;
  geometryProperty: string;
}

/** Builds the View from the common retrieval parameters: options, format, attrs, pick, omit, lang, geometryProperty. */
export function viewOf(q: Record<string, string | undefined>, media: MediaType, ld: LdContext): View {
  const rep = representationOf(q);
  const pick = expandedSet('pick', q.pick, ld.tm, ['id', 'type', 'scope']);
  const omit = expandedSet('omit', q.omit, ld.tm, ['id', 'type', 'scope']);
  if (pick && omit) raise('BadRequestData', 'pick and omit cannot be used together');
  const geometryProperty = q.geometryProperty === undefined ? LOCATION : ld.tm.expand(q.geometryProperty);
  return {
    media,
    ld,
    geometryProperty,
    render: {
      format: rep.format,
      sysAttrs: rep.sysAttrs,
      attrs: expandedSet('attrs', q.attrs, ld.tm),
      pick,
      omit,
      lang: langParam(q.lang),
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
