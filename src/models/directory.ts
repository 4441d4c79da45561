/**
 * Reads a Smart Data Models catalogue from a directory (MIMOSA_MODELS_DIR), offline. The layout is that of the
 * smart-data-models repositories cloned side by side, or of the copy in ../shared/smart-data-models:
 *
 *   <dir>/<Subject>/context.jsonld          the subject's @context (e.g. dataModel.Parking/context.jsonld)
 *   <dir>/<Subject>/<Model>/schema.json     a model; its folder name is the entity type (ParkingSpot)
 *   <dir>/ref-map.json                      optional: public URL → local file, for `$ref`s and @context URLs
 *
 * A `$ref` or @context URL resolves through ref-map.json, else by the layout the public URLs already have:
 * `https://smart-data-models.github.io/<repo>/<path>` and
 * `https://raw.githubusercontent.com/smart-data-models/<repo>/<branch>/<path>` are `<dir>/<repo>/<path>`
 * (so `data-models/common-schema.json` is found in a clone of the data-models repository).
 *
 * Schemas are read when first needed, not at start: the whole catalogue is about a thousand schemas, and a
 * deployment validates a few. Subject contexts are small and read at start (they give the models' type IRIs).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fail, ok, type Result } from '../core/problem.js';

/** Largest file read from the directory (the largest Smart Data Models schema is well under 1 MiB). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

const PAGES_HOST = 'smart-data-models.github.io';
const RAW_HOST = 'raw.githubusercontent.com';
const ORG = 'smart-data-models';

export interface DirectoryModel {
  /** The entity type, from the model's folder name. */
  name: string;
  subject: string;
  schemaFile: string;
}

export interface ModelDirectory {
  readonly root: string;
  readonly models: readonly DirectoryModel[];
  /** Subject → the `@context` value of its context.jsonld (absent when it has none). */
  readonly contexts: ReadonlyMap<string, unknown>;
  /** The public URLs of the subject contexts → their documents, so that clients naming them work offline. */
  readonly contextUrls: ReadonlyMap<string, unknown>;
  /** What was passed over, for the log. */
  readonly problems: readonly string[];
  /** A JSON document (a `$ref` target) by its public URL; undefined when the directory does not hold it. */
  document(url: string): Promise<unknown>;
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads a JSON file of the directory, bounded in size. */
export async function readJson(file: string): Promise<Result<unknown>> {
  try {
    const s = await stat(file);
    if (!s.isFile()) return fail('BadRequestData', `${file} is not a file`);
    if (s.size > MAX_FILE_BYTES) return fail('BadRequestData', `${file} is larger than ${MAX_FILE_BYTES} bytes`);
    return ok(JSON.parse(await readFile(file, 'utf8')));
  } catch (e) {
    return fail('BadRequestData', `${file} cannot be read as JSON: ${(e as Error).message}`);
  }
}

/** `<dir>/<path>` when `path` stays inside `dir`, else undefined (no `..` escapes through a URL or ref-map). */
function inside(dir: string, path: string): string | undefined {
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? full : undefined;
}

/** The local path a public Smart Data Models URL has under the repositories' own layout. */
export function conventionalPath(dir: string, url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:') return undefined;
  let segments: string[];
  try {
    segments = u.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (u.hostname === RAW_HOST && segments[0] === ORG && segments.length >= 4) segments = [segments[1], ...segments.slice(3)];
  else if (u.hostname !== PAGES_HOST || segments.length < 2) return undefined;
  if (segments.some((s) => s.startsWith('.') || s.includes('/') || s.includes('\\'))) return undefined;
  return inside(dir, join(...segments));
}

async function directories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** ref-map.json's URL → file maps (`documents`, `contexts`), kept to the paths inside the directory. */
async function readRefMap(dir: string, problems: string[]): Promise<{ documents: Map<string, string>; contexts: Map<string, string> }> {
  const out = { documents: new Map<string, string>(), contexts: new Map<string, string>() };
  const file = join(dir, 'ref-map.json');
  if (!(await exists(file))) return out;
  const r = await readJson(file);
  if (!r.ok || !isObject(r.value)) {
    problems.push(r.ok ? `${file} is not a JSON object` : r.problem.detail);
    return out;
  }
  for (const key of ['documents', 'contexts'] as const) {
    const map = r.value[key];
    if (!isObject(map)) continue;
    for (const [url, path] of Object.entries(map)) {
      const local = typeof path === 'string' ? inside(dir, path) : undefined;
      if (local === undefined) problems.push(`${file}: ${key} entry ${url} does not name a file inside the directory`);
      else out[key].set(url, local);
    }
  }
  return out;
}

/** Opens the catalogue: lists the models and reads the subject contexts. Fails when `root` is no directory. */
export async function openModelDirectory(root: string): Promise<ModelDirectory> {
  const dir = resolve(root);
  const problems: string[] = [];
  const refMap = await readRefMap(dir, problems);
  const models: DirectoryModel[] = [];
  const contexts = new Map<string, unknown>();
  const contextUrls = new Map<string, unknown>();
  const documents = new Map<string, unknown>();
  for (const subject of await directories(dir)) {
    const found: DirectoryModel[] = [];
    for (const name of await directories(join(dir, subject))) {
      const schemaFile = join(dir, subject, name, 'schema.json');
      if (await exists(schemaFile)) found.push({ name, subject, schemaFile });
    }
    if (found.length === 0) continue;
    models.push(...found);
    const contextFile = join(dir, subject, 'context.jsonld');
    if (!(await exists(contextFile))) {
      problems.push(`${subject} has no context.jsonld: its models use the core context`);
      continue;
    }
    const r = await readJson(contextFile);
    if (!r.ok || !isObject(r.value) || r.value['@context'] === undefined) {
      problems.push(r.ok ? `${contextFile} has no @context member` : r.problem.detail);
      continue;
    }
    contexts.set(subject, r.value['@context']);
    contextUrls.set(`https://${PAGES_HOST}/${subject}/context.jsonld`, r.value);
    contextUrls.set(`https://${RAW_HOST}/${ORG}/${subject}/master/context.jsonld`, r.value);
  }
  for (const [url, file] of refMap.contexts) {
    if (contextUrls.has(url)) continue;
    const r = await readJson(file);
    if (r.ok && isObject(r.value) && r.value['@context'] !== undefined) contextUrls.set(url, r.value);
    else problems.push(`ref-map.json context ${url}: ${r.ok ? 'no @context member' : r.problem.detail}`);
  }
  const document = async (url: string): Promise<unknown> => {
    if (documents.has(url)) return documents.get(url);
    const file = refMap.documents.get(url) ?? conventionalPath(dir, url);
    if (file === undefined) return undefined;
    const r = await readJson(file);
    const doc = r.ok ? r.value : undefined;
    documents.set(url, doc);
    return doc;
  };
  return { root: dir, models, contexts, contextUrls, problems, document };
}
