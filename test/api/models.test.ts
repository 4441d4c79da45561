/**
 * The Smart Data Models API (OASC MIM2, Mimosa extension under /mimosa/v1): listing and describing the models of
 * ../shared/smart-data-models, adding and removing models (persisted), validation modes per tenant, the dry run
 * and the recorded warnings; bad input of every kind is a precise 4xx, never a 500.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { assertProblem, buildTestApp, describeApi, ENTITIES, send, uniqueId, uniqueTenant } from '../support/http.js';
import { contextUrl, example, MODELS, SDM_DIR, setMode, sorted, type Violation } from '../support/models.js';

const LD = { 'content-type': 'application/ld+json' };
const COMMON = 'https://smart-data-models.github.io/data-models/common-schema.json';
const RUN = Math.random().toString(36).slice(2, 8);
let serial = 0;

/** A model of our own (unique per call), whose location comes from the common schema by $ref. */
function beeHive(extra: Record<string, unknown> = {}) {
  const name = `BeeHive${RUN}${++serial}`;
  const ns = `https://example.org/apiary/${name}/`;
  return {
    name,
    typeIri: `${ns}${name}`,
    body: {
      type: name,
      context: { [name]: `${ns}${name}`, colonySize: `${ns}colonySize`, refApiary: `${ns}refApiary` },
      schema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title: 'Bee hive',
        type: 'object',
        allOf: [
          { $ref: `${COMMON}#/definitions/Location-Commons` },
          {
            properties: {
              type: { type: 'string', enum: [name] },
              colonySize: { type: 'integer', minimum: 0, description: "Property. Model:'https://schema.org/Number'. Bees in the colony. Units:'bees'" },
              refApiary: { type: 'string', format: 'uri', description: 'Relationship. The apiary the hive stands in' },
            },
          },
        ],
        required: ['id', 'type', 'colonySize', 'location'],
      },
      ...extra,
    },
  };
}

describeApi(
  'Smart Data Models API (OASC MIM2)',
  (h) => {
    const get = (url: string, tenant?: string) => send(h().app, 'GET', url, undefined, tenant ? { 'NGSILD-Tenant': tenant } : {});
    const addModel = (body: unknown) => send(h().app, 'POST', MODELS, body);
    const dryRun = (body: unknown, query = '', headers: Record<string, string> = {}) => send(h().app, 'POST', `/mimosa/v1/validate${query}`, body, headers);

    // ------------------------------------------------------------------------------------------ list and show

    it('list models should answer every model of the directory with the tenant mode when MIMOSA_MODELS_DIR is the shared copy', async () => {
      const t = uniqueTenant('list');
      await setMode(h().app, t, 'WasteContainer', 'warn');
      const res = await get(MODELS, t);
      assert.equal(res.statusCode, 200, res.body);
      const list = res.json() as Array<Record<string, unknown>>;
      const fromDir = list.filter((m) => m.source === 'directory');
      assert.equal(fromDir.length, 19);
      assert.deepEqual(
        list.find((m) => m.type === 'ParkingSpot'),
        { type: 'ParkingSpot', typeIri: 'https://smartdatamodels.org/dataModel.Parking/ParkingSpot', source: 'directory', subject: 'dataModel.Parking', validation: 'off' },
      );
      assert.equal(list.find((m) => m.type === 'WasteContainer')?.validation, 'warn');
      const other = (await get(MODELS, uniqueTenant('list'))).json() as Array<Record<string, unknown>>;
      assert.equal(other.find((m) => m.type === 'WasteContainer')?.validation, 'off');
    });

    it('show model should answer the attributes with their NGSI-LD types, units and required flags when the model is known', async () => {
      const res = await get(`${MODELS}/WeatherObserved`);
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json() as Record<string, any>;
      // From dataModel.Weather/WeatherObserved/schema.json.
      assert.equal(m.typeIri, 'https://smartdatamodels.org/dataModel.Weather/WeatherObserved');
      assert.deepEqual([...m.required].sort(), ['dateObserved', 'id', 'location', 'type']);
      const dew = m.attributes.find((a: { name: string }) => a.name === 'dewPoint');
      assert.equal(dew.ngsiType, 'Property');
      assert.equal(dew.units, 'Celsius degrees');
      assert.deepEqual(dew.types, ['number']);
      assert.equal(dew.iri, 'https://smartdatamodels.org/dataModel.Weather/dewPoint'); // dataModel.Weather/context.jsonld
      const refDevice = m.attributes.find((a: { name: string }) => a.name === 'refDevice');
      assert.equal(refDevice.ngsiType, 'Relationship');
      assert.equal(m.attributes.find((a: { name: string }) => a.name === 'location').required, true);
    });

    it('show model should accept the type IRI when it is given URL-encoded', async () => {
      const res = await get(`${MODELS}/${encodeURIComponent('https://smartdatamodels.org/dataModel.Parking/ParkingSpot')}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().type, 'ParkingSpot');
    });

    it('show model should answer 404 ResourceNotFound when no model has that type', async () => {
      assertProblem(await get(`${MODELS}/Unicorn`), 404, 'ResourceNotFound');
      assertProblem(await get(`${MODELS}/Unicorn/validation`), 404, 'ResourceNotFound');
    });

    // ------------------------------------------------------------------------------------------ add and remove

    it('add model should answer 201 and validate writes with it when the schema $refs the common definitions', async () => {
      const hive = beeHive();
      const res = await addModel(hive.body);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers.location, `${MODELS}/${hive.name}`);
      const shown = (await get(`${MODELS}/${hive.name}`)).json() as Record<string, any>;
      assert.equal(shown.source, 'api');
      assert.equal(shown.typeIri, hive.typeIri);
      assert.deepEqual(shown.attributes.find((a: { name: string }) => a.name === 'colonySize'), {
        name: 'colonySize', required: true, types: ['integer'], ngsiType: 'Property', model: 'https://schema.org/Number', units: 'bees',
        description: 'Bees in the colony.', minimum: 0, iri: `https://example.org/apiary/${hive.name}/colonySize`,
      });
      const t = uniqueTenant('hive');
      await setMode(h().app, t, hive.name, 'enforce');
      const entity = (colonySize: unknown) => ({ '@context': hive.body.context, id: uniqueId('Hive'), type: hive.name, colonySize, location: { type: 'Point', coordinates: [1, 2] } });
      const bad = await send(h().app, 'POST', ENTITIES, { ...entity(-3), refApiary: 'urn:ngsi-ld:Apiary:1' }, { ...LD, 'NGSILD-Tenant': t });
      const body = assertProblem(bad, 400, 'BadRequestData');
      assert.deepEqual(sorted(body.violations as Violation[]), sorted([
        { pointer: '/colonySize', message: 'must be >= 0' },
        { pointer: '/refApiary', message: 'is a Property, where the model describes a Relationship' },
      ]));
      assert.equal((await send(h().app, 'POST', ENTITIES, entity(12000), { ...LD, 'NGSILD-Tenant': t })).statusCode, 201);
    });

    it('add model should answer 201 when the documents its $refs name come with it', async () => {
      const hive = beeHive();
      const own = 'https://example.org/apiary/defs.json';
      hive.body.schema.allOf.push({ $ref: `${own}#/definitions/Hive` } as never);
      const res = await addModel({ ...hive.body, documents: { [own]: { definitions: { Hive: { properties: { colonySize: { maximum: 50 } } } } } } });
      assert.equal(res.statusCode, 201, res.body);
      const dry = await dryRun({ id: uniqueId('Hive'), type: hive.name, colonySize: 60, location: { type: 'Point', coordinates: [1, 2] } }, `?model=${hive.name}`, { link: `<${'https://example.org/none'}>` });
      // A Link header that is not a JSON-LD context link is ignored: the entity is in the default vocabulary.
      assert.equal(dry.statusCode, 200, dry.body);
    });

    it('add model should answer 400 naming the $ref when a referenced document cannot be resolved offline', async () => {
      const hive = beeHive();
      hive.body.schema.allOf.push({ $ref: 'https://example.org/nowhere.json#/definitions/X' } as never);
      const body = assertProblem(await addModel(hive.body), 400, 'BadRequestData');
      assert.match(String(body.detail), /\$ref https:\/\/example\.org\/nowhere\.json cannot be resolved offline/);
      assertProblem(await get(`${MODELS}/${hive.name}`), 404, 'ResourceNotFound');
      // Fixed, the same model can then be added.
      hive.body.schema.allOf.pop();
      assert.equal((await addModel(hive.body)).statusCode, 201);
    });

    it('add model should answer 400 BadRequestData when the body is not a usable model', async () => {
      const hive = beeHive();
      const deep: Record<string, unknown> = {};
      let at = deep;
      // about 84 levels: past the models' own limit (64), within the limit of every request body (128)
      for (let i = 0; i < 40; i++) at = (at.allOf = [{}]) && ((at.allOf as Array<Record<string, unknown>>)[0]);
      const cases: Array<[unknown, RegExp]> = [
        [[], /JSON object/],
        [{ type: 'X' }, /schema must be a JSON Schema object/],
        [{ ...hive.body, extra: 1 }, /Member "extra" is not one of/],
        [{ schema: { type: 'object' } }, /names no entity type/],
        [{ ...hive.body, type: 'has space' }, /type must be an entity type name/],
        [{ ...hive.body, context: 42 }, /context must be a URL/],
        [{ ...hive.body, context: 'urn:not-http' }, /context must be a URL/],
        [{ ...hive.body, documents: { 'not a url': {} } }, /is not an http\(s\) URL/],
        [{ ...hive.body, schema: { ...hive.body.schema, type: 5 } }, /not a valid JSON Schema/],
        [{ ...hive.body, schema: { ...hive.body.schema, properties: { x: { pattern: '(' } } } }, /cannot be compiled/],
        [{ ...hive.body, schema: { type: 'object', allOf: [deep] } }, /nested deeper than 64/],
      ];
      for (const [body, detail] of cases) {
        const p = assertProblem(await addModel(body), 400, 'BadRequestData');
        assert.match(String(p.detail), detail, JSON.stringify(body).slice(0, 100));
      }
    });

    it('add model should answer 409 AlreadyExists when a model governs that type already', async () => {
      const hive = beeHive();
      assert.equal((await addModel(hive.body)).statusCode, 201);
      assertProblem(await addModel(hive.body), 409, 'AlreadyExists');
      const parking = { type: 'ParkingSpot', context: contextUrl('dataModel.Parking'), schema: { type: 'object' } };
      const p = assertProblem(await addModel(parking), 409, 'AlreadyExists');
      assert.match(String(p.detail), /from MIMOSA_MODELS_DIR/);
      const clash = { ...beeHive().body, documents: { [COMMON]: { definitions: {} } } };
      assert.match(String(assertProblem(await addModel(clash), 409, 'AlreadyExists').detail), /known already, with other content/);
    });

    it('add model should answer 413 when the body is larger than the model limit', async () => {
      const hive = beeHive();
      const res = await addModel({ ...hive.body, schema: { ...hive.body.schema, description: 'x'.repeat(5 * 1024 * 1024) } });
      assertProblem(res, 413, 'InvalidRequest');
    });

    it('remove model should answer 204 and forget the model when it was added through the API', async () => {
      const hive = beeHive();
      assert.equal((await addModel(hive.body)).statusCode, 201);
      const del = await send(h().app, 'DELETE', `${MODELS}/${hive.name}`);
      assert.equal(del.statusCode, 204, del.body);
      assertProblem(await get(`${MODELS}/${hive.name}`), 404, 'ResourceNotFound');
      assertProblem(await send(h().app, 'DELETE', `${MODELS}/${hive.name}`), 404, 'ResourceNotFound');
      assert.equal((await addModel(hive.body)).statusCode, 201, 'the type is free again');
    });

    it('remove model should answer 422 OperationNotSupported when the model comes from the directory', async () => {
      assertProblem(await send(h().app, 'DELETE', `${MODELS}/ParkingSpot`), 422, 'OperationNotSupported');
      assert.equal((await get(`${MODELS}/ParkingSpot`)).statusCode, 200);
    });

    it('add model should keep the model and the modes when the broker restarts on the same database', async () => {
      const hive = beeHive();
      assert.equal((await addModel(hive.body)).statusCode, 201);
      const t = uniqueTenant('restart');
      await setMode(h().app, t, hive.name, 'enforce');
      const again = await buildTestApp(h().store, { modelsDir: SDM_DIR }, h().engine);
      try {
        const mode = await send(again, 'GET', `${MODELS}/${hive.name}/validation`, undefined, { 'NGSILD-Tenant': t });
        assert.deepEqual(mode.json(), { type: hive.name, typeIri: hive.typeIri, mode: 'enforce' });
        const bad = { '@context': hive.body.context, id: uniqueId('Hive'), type: hive.name, colonySize: 'many', location: { type: 'Point', coordinates: [1, 2] } };
        const res = await send(again, 'POST', ENTITIES, bad, { ...LD, 'NGSILD-Tenant': t });
        assert.deepEqual(assertProblem(res, 400, 'BadRequestData').violations, [{ pointer: '/colonySize', message: 'must be integer' }]);
      } finally {
        await again.close();
      }
    });

    // ------------------------------------------------------------------------------------------ modes

    it('set validation mode should answer 400 when the mode or the body is not one the API knows', async () => {
      for (const body of [{ mode: 'strict' }, { mode: 'warn', extra: true }, ['warn'], '"warn"']) {
        assertProblem(await send(h().app, 'PUT', `${MODELS}/ParkingSpot/validation`, body), 400, 'BadRequestData');
      }
      assertProblem(await send(h().app, 'PUT', `${MODELS}/Unicorn/validation`, { mode: 'warn' }), 404, 'ResourceNotFound');
    });

    it('get validation mode should answer the mode of the tenant that asks when modes differ per tenant', async () => {
      const [a, b] = [uniqueTenant('ma'), uniqueTenant('mb')];
      await setMode(h().app, a, 'Streetlight', 'enforce');
      await setMode(h().app, b, 'Streetlight', 'warn');
      const mode = async (t: string) => (await get(`${MODELS}/Streetlight/validation`, t)).json().mode;
      assert.deepEqual([await mode(a), await mode(b), await mode(uniqueTenant('mc'))], ['enforce', 'warn', 'off']);
    });

    it('set validation mode should reach a second broker on the same database when it changes', async () => {
      const other = await buildTestApp(h().store, { modelsDir: SDM_DIR }, h().engine);
      try {
        const t = uniqueTenant('shared');
        await setMode(h().app, t, 'WasteContainer', 'enforce');
        // The other broker learns of the change by NOTIFY: wait (bounded) until it has.
        let mode = 'off';
        for (let i = 0; i < 200 && mode !== 'enforce'; i++) {
          mode = (await send(other, 'GET', `${MODELS}/WasteContainer/validation`, undefined, { 'NGSILD-Tenant': t })).json().mode;
          if (mode !== 'enforce') await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(mode, 'enforce');
        const bad = { id: uniqueId('WasteContainer'), type: 'WasteContainer', location: { type: 'Point', coordinates: [1, 2] }, fillingLevel: 3 };
        assertProblem(await send(other, 'POST', ENTITIES, bad, { 'NGSILD-Tenant': t }), 400, 'BadRequestData');
      } finally {
        await other.close();
      }
    });

    // ------------------------------------------------------------------------------------------ dry run and warnings

    it('dry run should answer the violations and store nothing when the entity breaks its model', async () => {
      const t = uniqueTenant('dry');
      await setMode(h().app, t, 'ParkingSpot', 'warn');
      const e = example('dataModel.Parking', 'ParkingSpot', uniqueId('ParkingSpot'));
      e.status.value = 'reserved';
      const res = await dryRun(e, '', { ...LD, 'NGSILD-Tenant': t });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        id: e.id,
        conforms: false,
        results: [{ model: 'ParkingSpot', typeIri: 'https://smartdatamodels.org/dataModel.Parking/ParkingSpot', mode: 'warn', violations: [{ pointer: '/status', message: 'must be one of closed, free, occupied, unknown' }] }],
      });
      assert.equal((await h().app.inject({ method: 'GET', url: `${ENTITIES}/${encodeURIComponent(e.id)}`, headers: { 'NGSILD-Tenant': t } })).statusCode, 404);
      assert.deepEqual((await get('/mimosa/v1/warnings', t)).statusCode, 404, 'a dry run creates no tenant and records nothing');
    });

    it('dry run should judge the entity as an instance of the model named by the model parameter whatever its type', async () => {
      const res = await dryRun({ id: uniqueId('Thing'), type: 'Thing', status: 'on' }, '?model=Streetlight');
      assert.equal(res.statusCode, 200, res.body);
      const [r] = res.json().results;
      assert.equal(r.model, 'Streetlight');
      // Streetlight requires location; status is one of brokenLantern, columnIssue, defectiveLamp, ok.
      assert.deepEqual(sorted(r.violations), sorted([
        { pointer: '/status', message: 'must be one of brokenLantern, columnIssue, defectiveLamp, ok' },
        { pointer: '/location', message: 'is required by the model' },
      ]));
    });

    it('dry run should answer conforms true when the upstream example conforms', async () => {
      const res = await dryRun(example('dataModel.Weather', 'WeatherObserved', uniqueId('WeatherObserved')), '', LD);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().conforms, true);
    });

    it('dry run should answer 404 ResourceNotFound when no model governs the entity type or the model parameter is unknown', async () => {
      assertProblem(await dryRun({ id: uniqueId('Thing'), type: 'Thing' }), 404, 'ResourceNotFound');
      assertProblem(await dryRun({ id: uniqueId('Thing'), type: 'Thing' }, '?model=Unicorn'), 404, 'ResourceNotFound');
    });

    it('dry run should answer 400 BadRequestData when the body is no NGSI-LD entity', async () => {
      for (const body of [[], { type: 'ParkingSpot' }, { id: 'not a uri', type: 'ParkingSpot' }, { id: 'urn:x', type: 'ParkingSpot', a: { type: 'Nope', value: 1 } }]) {
        assertProblem(await dryRun(body), 400, 'BadRequestData');
      }
      assertProblem(await dryRun({ id: 'urn:x', type: 'ParkingSpot' }, '?unknown=1'), 400, 'BadRequestData');
    });

    it('warnings should answer 400 or 404 when the parameters or the tenant are wrong', async () => {
      const t = uniqueTenant('wq');
      await setMode(h().app, t, 'ParkingSpot', 'warn');
      assert.equal((await send(h().app, 'POST', ENTITIES, { id: uniqueId('ParkingSpot'), type: 'ParkingSpot' }, { 'NGSILD-Tenant': t })).statusCode, 201);
      const page = await get('/mimosa/v1/warnings?type=ParkingSpot&count=true&limit=1', t);
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.headers['ngsild-results-count'], '1');
      assertProblem(await get('/mimosa/v1/warnings?limit=x', t), 400, 'BadRequestData');
      assertProblem(await get('/mimosa/v1/warnings?type=Unicorn', t), 404, 'ResourceNotFound');
      assertProblem(await get('/mimosa/v1/warnings', uniqueTenant('none')), 404, 'NonexistentTenant');
    });

    // ------------------------------------------------------------------------------------------ hostile input

    const jsonBody = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({
        id: fc.oneof(fc.constant('urn:ngsi-ld:ParkingSpot:fz'), fc.string({ maxLength: 10 })),
        type: fc.oneof(fc.constantFrom('ParkingSpot', 'WasteContainer', 'Streetlight', 'Thing'), fc.jsonValue({ maxDepth: 1 })),
        status: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ type: fc.constantFrom('Property', 'Relationship', 'GeoProperty'), value: fc.jsonValue({ maxDepth: 2 }), object: fc.string() })),
        location: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ type: fc.constant('Point'), coordinates: fc.array(fc.double(), { maxLength: 3 }) })),
        category: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      }, { requiredKeys: [] }),
    );

    it('dry run should never answer 500 when bodies are arbitrary JSON', async () => {
      await fc.assert(
        fc.asyncProperty(jsonBody, fc.constantFrom('', '?model=ParkingSpot', '?model=Device'), async (body, query) => {
          const res = await dryRun(body, query);
          assert.ok([200, 400, 404].includes(res.statusCode), `${res.statusCode} ${res.body}`);
          if (res.statusCode === 200) assert.equal(typeof res.json().conforms, 'boolean');
        }),
        { numRuns: 150 },
      );
    });

    const schemaLike = fc.letrec((tie) => ({
      schema: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({
          type: fc.oneof(fc.constantFrom('object', 'string', 'number', 'array', 'nope'), fc.jsonValue({ maxDepth: 1 })),
          $ref: fc.constantFrom('#', '#/definitions/a', `${COMMON}#/definitions/Location-Commons`, 'https://x.invalid/a.json', '%%'),
          properties: fc.dictionary(fc.string({ maxLength: 5 }), tie('schema')),
          allOf: fc.array(tie('schema'), { maxLength: 2 }),
          pattern: fc.constantFrom('^a+$', '(', '[z-a]'),
          format: fc.constantFrom('date-time', 'uri', 'unknown-format'),
          required: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
        }, { requiredKeys: [] }),
      ),
    })).schema;

    it('add model should never answer 500 when schemas are arbitrary', async () => {
      await fc.assert(
        fc.asyncProperty(schemaLike, async (schema) => {
          const res = await addModel({ type: `Fuzz${RUN}${++serial}`, schema });
          assert.ok([201, 400, 409].includes(res.statusCode), `${res.statusCode} ${res.body}`);
        }),
        { numRuns: 150 },
      );
    });
  },
  { modelsDir: SDM_DIR },
);
