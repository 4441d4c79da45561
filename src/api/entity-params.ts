/** What the entity routes (entities.ts, entity-attrs.ts) read from the path and share about their bodies. */
import type { FastifyRequest } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import type { Attribute } from '../core/entity/model.js';
import { isUri, isValidAttributeName } from '../core/entity/parse.js';
import { raise } from '../core/problem.js';
import { entityIdParam, listParam } from './params.js';

export const E = '/ngsi-ld/v1/entities';

export interface IdParams {
  entityId: string;
}
export interface AttrParams extends IdParams {
  attrId: string;
}

export function idOf(req: FastifyRequest<{ Params: IdParams }>): string {
  return entityIdParam(req.params.entityId, isUri);
}

export function attrOf(req: FastifyRequest<{ Params: AttrParams }>, tm: TermMap): string {
  const name = req.params.attrId;
  if (!isValidAttributeName(name)) raise('BadRequestData', `Attribute name ${JSON.stringify(name.slice(0, 200))} is not valid`);
  return tm.expand(name);
}

/** The `type` parameter of an entity operation, expanded: the entity must have one of these types. */
export function typesOf(raw: string | undefined, tm: TermMap): string[] | undefined {
  return listParam('type', raw)?.map((t) => tm.expand(t));
}

export function checkBodyId(bodyId: string | undefined, pathId: string): void {
  if (bodyId !== undefined && bodyId !== pathId) raise('BadRequestData', `Entity id in the body (${bodyId}) differs from the id in the path (${pathId})`);
}

/** The attributes of `attrs` named in `keep` (the part of a distributed write that stays here). */
export function pick(attrs: Record<string, Attribute[]>, keep: ReadonlySet<string>): Record<string, Attribute[]> {
  return Object.fromEntries(Object.entries(attrs).filter(([a]) => keep.has(a)));
}

/** The query string as received, less `local` (which a source must not receive: it would answer nothing). */
export function forwardedParams(q: Record<string, string | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && k !== 'local') params.set(k, v);
  return params;
}
