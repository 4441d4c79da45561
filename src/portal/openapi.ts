/**
 * GET /mimosa/openapi.json: the OpenAPI document of Mimosa's API, read by the portal's API reference.
 *
 * The NGSI-LD part is ETSI's OpenAPI description (openapi/ngsi-ld-api.yaml, embedded in the project: see its
 * README), served at this broker's /ngsi-ld/v1; Mimosa's own routes outside that base path are added with a
 * path-level server of '/'. Built once, on first request (parsing the 240 kB YAML takes ~100 ms).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';

const SOURCE = new URL('../../openapi/ngsi-ld-api.yaml', import.meta.url);
const OPENAPI_PATH = '/mimosa/openapi.json';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation = { tags: string[]; summary: string; operationId: string; parameters?: unknown[]; responses: Record<string, unknown> };

/** Mimosa's routes outside /ngsi-ld/v1 (README: Smart Data Models, IoT agent, Portal). */
const MIMOSA_ROUTES: [Method, string, string, string][] = [
  ['get', '/health', 'Health', '200 when the database answers, 503 otherwise'],
  ['get', '/mimosa/v1/models', 'Smart Data Models', 'The models known (MIMOSA_MODELS_DIR and the API)'],
  ['post', '/mimosa/v1/models', 'Smart Data Models', 'Adds a model: {schema, type?, context?, documents?}'],
  ['get', '/mimosa/v1/models/{type}', 'Smart Data Models', 'A model: attributes, their NGSI-LD and JSON types, units, required'],
  ['delete', '/mimosa/v1/models/{type}', 'Smart Data Models', 'Removes a model added through the API'],
  ['get', '/mimosa/v1/models/{type}/validation', 'Smart Data Models', "The tenant's validation mode for the model"],
  ['put', '/mimosa/v1/models/{type}/validation', 'Smart Data Models', 'Sets it: {"mode": "off" | "warn" | "enforce"}'],
  ['post', '/mimosa/v1/validate', 'Smart Data Models', 'Validates an entity without storing it (dry run)'],
  ['get', '/mimosa/v1/warnings', 'Smart Data Models', 'What warn mode recorded (type, id, limit, offset, count)'],
  ['get', '/iot/about', 'IoT agent', 'IoT agent information, with where devices connect over MQTT'],
  ['get', '/iot/services', 'IoT agent', 'Config groups of the service (Fiware-Service)'],
  ['post', '/iot/services', 'IoT agent', 'Provisions config groups: {"services": [...]}'],
  ['get', '/iot/devices', 'IoT agent', 'Devices of the service'],
  ['post', '/iot/devices', 'IoT agent', 'Provisions devices: {"devices": [...]}'],
  ['get', '/iot/devices/{deviceId}', 'IoT agent', 'One device, with its measure counters'],
  ['delete', '/iot/devices/{deviceId}', 'IoT agent', 'Removes a device'],
  ['get', '/iot/stats', 'IoT agent', "Counters of each device's measures in this process"],
  ['post', '/iot/json', 'IoT agent', 'JSON measures of device i with API key k'],
  ['post', '/iot/d', 'IoT agent', 'Ultralight 2.0 measures of device i with API key k'],
  ['get', '/mimosa/portal/tenants', 'Portal', 'The tenants that exist'],
  ['get', '/mimosa/portal/live', 'Portal', 'Server-Sent Events: the changes of a tenant (query: tenant)'],
  ['get', OPENAPI_PATH, 'Portal', 'This document'],
];

function mimosaPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [method, path, tag, summary] of MIMOSA_ROUTES) {
    const item = (paths[path] ??= { servers: [{ url: '/' }] });
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const op: Operation = { tags: [tag], summary, operationId: `${method}${path.replace(/\W+(\w)?/g, (_, c: string = '') => c.toUpperCase())}`, responses: { default: { description: 'See the README' } } };
    if (params.length) op.parameters = params;
    item[method] = op;
  }
  return paths;
}

/** Keeps the first of parameters listed twice under one name (upstream defect: two `options` in the temporal GETs). */
function dedupeParameters(paths: Record<string, Record<string, { parameters?: { $ref?: string; name?: string }[] }>>): void {
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      if (!Array.isArray(op?.parameters)) continue;
      const seen = new Set<string>();
      op.parameters = op.parameters.filter((p) => {
        const key = p.$ref?.replace(/^.*\/Query\.(\w+).*$/, '$1') ?? p.name ?? '';
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
  }
}

function build(): Record<string, unknown> {
  const doc = parse(readFileSync(SOURCE, 'utf8')) as Record<string, any>;
  dedupeParameters(doc.paths);
  doc.info = { ...doc.info, title: 'Mimosa NGSI-LD API', description: `${doc.info.description} Served by Mimosa, with its own routes added (tags Health, Smart Data Models, IoT agent, Portal).` };
  doc.servers = [{ url: '/ngsi-ld/v1' }];
  doc.paths = { ...doc.paths, ...mimosaPaths() };
  return doc;
}

export function installOpenApi(app: FastifyInstance): void {
  let doc: string | undefined;
  app.get(OPENAPI_PATH, async (_req, reply) => {
    doc ??= JSON.stringify(build());
    return reply.type('application/json').header('Cache-Control', 'public, max-age=3600').send(doc);
  });
}
