/**
 * Smart Data Models fixtures for the HTTP suites: the copies in ../shared/smart-data-models (relative to the
 * project root), their public @context URLs, and helpers to set a tenant's validation mode.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { send } from './http.js';

export const SDM_DIR = join(new URL('../../', import.meta.url).pathname, '../shared/smart-data-models');
export const MODELS = '/mimosa/v1/models';

/** The context URL the upstream examples use, served offline from the models directory. */
export function contextUrl(subject: string): string {
  return `https://raw.githubusercontent.com/smart-data-models/${subject}/master/context.jsonld`;
}

/** An upstream example (`example-normalized.jsonld` or `example.jsonld`) with a fresh id, @context kept. */
export function example(subject: string, model: string, id: string, file = 'example-normalized.jsonld'): Record<string, any> {
  const doc = JSON.parse(readFileSync(join(SDM_DIR, subject, model, file), 'utf8')) as Record<string, any>;
  return { ...doc, id };
}

export async function setMode(app: FastifyInstance, tenant: string, type: string, mode: string): Promise<void> {
  const res = await send(app, 'PUT', `${MODELS}/${encodeURIComponent(type)}/validation`, { mode }, { 'NGSILD-Tenant': tenant });
  assert.equal(res.statusCode, 204, res.body);
}

export type Violation = { pointer: string; message: string; datasetId?: string };

/** Violations sorted, for comparisons that do not depend on the order ajv reports in. */
export function sorted(vs: readonly Violation[]): Violation[] {
  return [...vs].sort((a, b) => (a.pointer + a.message < b.pointer + b.message ? -1 : 1));
}
