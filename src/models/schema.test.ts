/**
 * The schema side of the model registry, on the real Smart Data Models copies in ../shared/smart-data-models:
 * reading the directory, resolving `$ref`s offline, describing models, and ajv's errors as violations.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SchemaCompiler, MAX_VIOLATIONS } from './compiler.js';
import { describeSchema } from './describe.js';
import { conventionalPath, openModelDirectory, readJson } from './directory.js';

const SDM = new URL('../../../shared/smart-data-models/', import.meta.url).pathname;
const dir = await openModelDirectory(SDM);
const schemaOf = async (subject: string, model: string) => {
  const r = await readJson(join(SDM, subject, model, 'schema.json'));
  assert.ok(r.ok);
  return r.value as Record<string, unknown>;
};
const compiler = new SchemaCompiler((url) => dir.document(url));
const scratch = await mkdtemp(join(tmpdir(), 'mimosa-models-'));
after(() => rm(scratch, { recursive: true, force: true }));

test('openModelDirectory should list each subject folder model with its context when the layout is the shared copy', () => {
  const names = dir.models.map((m) => `${m.subject}/${m.name}`);
  for (const m of ['dataModel.Parking/ParkingSpot', 'dataModel.Environment/AirQualityObserved', 'dataModel.Weather/WeatherObserved', 'dataModel.WasteManagement/WasteContainer']) {
    assert.ok(names.includes(m), m);
  }
  assert.ok(!names.some((n) => n.startsWith('common/')), 'common/ holds no model');
  assert.equal(dir.models.length, 19);
  assert.ok(dir.contexts.has('dataModel.Parking'));
  assert.ok(dir.contextUrls.has('https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld'));
  assert.deepEqual(dir.problems, []);
});

test('document should resolve a $ref URL through ref-map.json when the repositories are not cloned', async () => {
  const doc = (await dir.document('https://smart-data-models.github.io/data-models/common-schema.json')) as { definitions: Record<string, unknown> };
  assert.ok(doc.definitions['GSMA-Commons']);
  assert.equal(await dir.document('https://example.org/unknown.json'), undefined);
});

test('conventionalPath should map public URLs into the directory and refuse any that would leave it', () => {
  assert.equal(conventionalPath('/m', 'https://smart-data-models.github.io/data-models/common-schema.json'), '/m/data-models/common-schema.json');
  assert.equal(conventionalPath('/m', 'https://raw.githubusercontent.com/smart-data-models/dataModel.Weather/master/weather-schema.json'), '/m/dataModel.Weather/weather-schema.json');
  // The URL parser resolves dot segments first: what is left stays inside the directory.
  assert.equal(conventionalPath('/m', 'https://smart-data-models.github.io/../../etc/passwd'), '/m/etc/passwd');
  assert.equal(conventionalPath('/m', 'https://smart-data-models.github.io/%2e%2e/%2e%2e/etc/passwd'), '/m/etc/passwd');
  for (const bad of [
    'https://smart-data-models.github.io/a/%2Fetc%2Fpasswd',
    'https://smart-data-models.github.io/a/%2e%2e%2f%2e%2e%2fetc',
    'https://smart-data-models.github.io/a/.hidden',
    'http://smart-data-models.github.io/data-models/common-schema.json',
    'https://example.org/data-models/common-schema.json',
    'not a url',
  ]) {
    assert.equal(conventionalPath('/m', bad), undefined, bad);
  }
});

test('openModelDirectory should pass over a subject context that is not JSON and report it when files are malformed', async () => {
  const root = join(scratch, 'broken');
  await mkdir(join(root, 'dataModel.X', 'Thing'), { recursive: true });
  await writeFile(join(root, 'dataModel.X', 'context.jsonld'), '{ not json');
  await writeFile(join(root, 'dataModel.X', 'Thing', 'schema.json'), '[1, 2');
  const d = await openModelDirectory(root);
  assert.deepEqual(d.models.map((m) => m.name), ['Thing']);
  assert.equal(d.contexts.has('dataModel.X'), false);
  assert.equal(d.problems.length, 1);
  assert.match(d.problems[0], /context\.jsonld cannot be read as JSON/);
  const schema = await readJson(d.models[0].schemaFile);
  assert.equal(schema.ok, false);
});

test('openModelDirectory should fail when the directory does not exist', async () => {
  await assert.rejects(openModelDirectory(join(scratch, 'nowhere')), /ENOENT/);
});

test('describeSchema should read types, enums, bounds, units and required members through the common $refs when given ParkingSpot', async () => {
  const d = await describeSchema(await schemaOf('dataModel.Parking', 'ParkingSpot'), (url) => dir.document(url));
  // Written from dataModel.Parking/ParkingSpot/schema.json.
  assert.deepEqual(d.required, ['id', 'location', 'type', 'status', 'category', 'refParkingSite']);
  assert.equal(d.title, 'Parking Spot');
  const byName = new Map(d.attributes.map((a) => [a.name, a]));
  assert.equal(byName.has('id'), false);
  assert.deepEqual(byName.get('status'), {
    name: 'status',
    required: true,
    types: ['string'],
    ngsiType: 'Property',
    model: 'https://schema.org/Text',
    description: "Status of the parking spot from the point of view of occupancy. Enum:'closed, free, occupied, unknown'",
    enum: ['closed', 'free', 'occupied', 'unknown'],
  });
  assert.equal(byName.get('refParkingSite')?.ngsiType, 'Relationship');
  assert.deepEqual(byName.get('category')?.items, { types: ['string'], enum: ['onStreet', 'offStreet'] });
  assert.equal(byName.get('width')?.minimum, 0);
  // From common-schema.json#/definitions/Location-Commons, reached by $ref.
  assert.equal(byName.get('location')?.ngsiType, 'GeoProperty');
  assert.equal(byName.get('location')?.required, true);
  assert.equal(byName.get('name')?.ngsiType, 'Property');
});

test('describeSchema should give units and bounds when the model writes them in its descriptions', async () => {
  const weather = await describeSchema(await schemaOf('dataModel.Weather', 'WeatherObserved'), (url) => dir.document(url));
  const dew = weather.attributes.find((a) => a.name === 'dewPoint');
  assert.equal(dew?.units, 'Celsius degrees');
  assert.equal(dew?.model, 'https://schema.org/Number');
  const waste = await describeSchema(await schemaOf('dataModel.WasteManagement', 'WasteContainer'), (url) => dir.document(url));
  const filling = waste.attributes.find((a) => a.name === 'fillingLevel');
  assert.deepEqual([filling?.minimum, filling?.maximum, filling?.types], [0, 1, ['number']]);
});

test('compile should report a required member at its own pointer and list the allowed values when an enum fails', async () => {
  const r = await compiler.compile(await schemaOf('dataModel.Streetlighting', 'Streetlight'));
  assert.ok(r.ok);
  const violations = r.value.validate({ id: 'urn:ngsi-ld:Streetlight:1', type: 'Streetlight', status: 'on', location: { type: 'Point', coordinates: [1, 2] } });
  // Streetlight requires id, type, location, status; status is one of brokenLantern, columnIssue, defectiveLamp, ok.
  assert.deepEqual(violations, [{ pointer: '/status', message: 'must be one of brokenLantern, columnIssue, defectiveLamp, ok' }]);
  assert.deepEqual(r.value.validate({ id: 'urn:ngsi-ld:Streetlight:1', type: 'Streetlight', status: 'ok' }), [{ pointer: '/location', message: 'is required by the model' }]);
});

test('compile should fold the branch errors of a oneOf into one violation when no geometry form matches', async () => {
  const r = await compiler.compile(await schemaOf('dataModel.WasteManagement', 'WasteContainer'));
  assert.ok(r.ok);
  const violations = r.value.validate({ id: 'urn:ngsi-ld:WasteContainer:1', type: 'WasteContainer', location: { type: 'Point', coordinates: 'x' } });
  assert.deepEqual(violations, [{ pointer: '/location', message: 'matches none of the forms the model allows' }]);
});

test('compile should fail naming the $ref when a referenced document cannot be resolved offline', async () => {
  const r = await compiler.compile({ type: 'object', properties: { a: { $ref: 'https://example.org/missing.json#/definitions/a' } } });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.problem.kind, 'BadRequestData');
    assert.match(r.problem.detail, /\$ref https:\/\/example\.org\/missing\.json cannot be resolved offline/);
  }
});

test('compile should fail with BadRequestData when the schema is not a valid JSON Schema', async () => {
  for (const schema of [{ type: 5 }, { properties: { a: { $ref: '#/definitions/none' } } }, { type: 'string', pattern: '(' }, { minimum: 'zero' }]) {
    const r = await compiler.compile(schema);
    assert.equal(r.ok, false, JSON.stringify(schema));
    if (!r.ok) assert.equal(r.problem.kind, 'BadRequestData');
  }
});

test('compile should refuse a schema whose $id is in use until the holder is released', async () => {
  const schema = { $id: 'https://example.org/held.json', type: 'object', required: ['a'] };
  const first = await compiler.compile(schema);
  assert.ok(first.ok);
  const second = await compiler.compile({ ...schema });
  assert.equal(second.ok, false);
  if (!second.ok) assert.equal(second.problem.kind, 'AlreadyExists');
  assert.deepEqual(first.value.validate({}), [{ pointer: '/a', message: 'is required by the model' }], 'the holder still validates');
  first.value.release();
  assert.ok((await compiler.compile({ ...schema })).ok);
});

test('validate should report at most MAX_VIOLATIONS violations when a document breaks the schema everywhere', async () => {
  const r = await compiler.compile({ type: 'array', items: { type: 'number' } });
  assert.ok(r.ok);
  const violations = r.value.validate(Array.from({ length: 500 }, (_, i) => `x${i}`));
  assert.equal(violations.length, MAX_VIOLATIONS);
  assert.deepEqual(violations[0], { pointer: '/0', message: 'must be number' });
});

test('describeSchema should read a schema once when its allOf branches $ref it over and over', async () => {
  const branches = Array.from({ length: 8 }, () => ({ $ref: '#' }));
  const d = await describeSchema({ allOf: branches, properties: { a: { type: 'string' } }, required: ['a'] }, async () => undefined);
  assert.deepEqual(d.attributes.map((a) => a.name), ['a']);
  assert.deepEqual(d.required, ['a']);
});
