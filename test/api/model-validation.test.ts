/**
 * Validation of entity writes against Smart Data Models (OASC MIM2), per tenant and model: off, warn (accepted,
 * violations recorded and listed), enforce (400 listing each violation). Real schemas and upstream examples from
 * ../shared/smart-data-models; the expected violations are written from the schemas, with the schema rule each
 * breaks next to it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertProblem, BATCH, describeApi, ENTITIES, entityUrl, ERRORS, getEntity, linkHeader, send, uniqueId, uniqueTenant } from '../support/http.js';
import { contextUrl, example, SDM_DIR, setMode, sorted, type Violation } from '../support/models.js';

const LD = { 'content-type': 'application/ld+json' };
const PARKING = 'dataModel.Parking';
const STATUS_ENUM = 'must be one of closed, free, occupied, unknown'; // ParkingSpot schema: status enum

type Warning = { entityId: string; model: string; typeIri: string; violations: Violation[]; recordedAt: string };

describeApi(
  'Smart Data Models validation on write (OASC MIM2)',
  (h) => {
    const tenantHeaders = (tenant: string, extra: Record<string, string> = {}) => ({ 'NGSILD-Tenant': tenant, ...extra });
    const linked = (tenant: string, subject: string) => tenantHeaders(tenant, { link: linkHeader(contextUrl(subject)) });
    const parkingSpot = (id: string) => example(PARKING, 'ParkingSpot', id);
    const create = (tenant: string, e: unknown) => send(h().app, 'POST', ENTITIES, e, tenantHeaders(tenant, LD));
    const warnings = async (tenant: string, query = '') => {
      const res = await send(h().app, 'GET', `/mimosa/v1/warnings${query}`, undefined, tenantHeaders(tenant));
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Warning[];
    };
    /** A tenant whose writes `model` checks in `mode`. */
    const tenantWith = async (model: string, mode: string) => {
      const t = uniqueTenant(mode);
      await setMode(h().app, t, model, mode);
      return t;
    };
    /** Creates a conforming entity in `tenant` (asserting 201). */
    const created = async (tenant: string, e: Record<string, unknown>) => {
      const res = await create(tenant, e);
      assert.equal(res.statusCode, 201, res.body);
      return e.id as string;
    };
    const assertRefused = (res: { statusCode: number; body: string; json(): unknown }, model: string, expected: Violation[]) => {
      const body = assertProblem(res as never, 400, 'BadRequestData');
      assert.equal(body.model, model);
      assert.deepEqual(sorted(body.violations as Violation[]), sorted(expected));
    };

    // ------------------------------------------------------------------------------------------ the three modes

    it('create should answer 400 listing each violation and store nothing when the mode is enforce and the entity breaks the model', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const id = uniqueId('ParkingSpot');
      const e = parkingSpot(id);
      e.status = { type: 'Property', value: 'reserved' };
      e.refParkingSite = { type: 'Property', value: 'urn:ngsi-ld:ParkingSite:1' };
      delete e.category;
      assertRefused(await create(t, e), 'ParkingSpot', [
        { pointer: '/category', message: 'is required by the model' }, // required: [..., category, ...]
        { pointer: '/refParkingSite', message: 'is a Property, where the model describes a Relationship' }, // "Relationship. Parking site…"
        { pointer: '/status', message: STATUS_ENUM },
      ]);
      const read = await h().app.inject({ method: 'GET', url: entityUrl(id), headers: tenantHeaders(t) });
      assert.equal(read.statusCode, 404);
    });

    it('create should answer 201 when the mode is enforce and the upstream normalized example conforms', async () => {
      for (const [subject, model] of [
        [PARKING, 'ParkingSpot'],
        ['dataModel.WasteManagement', 'WasteContainer'],
        ['dataModel.Weather', 'WeatherObserved'],
        ['dataModel.Transportation', 'TrafficFlowObserved'],
        ['dataModel.Environment', 'NoiseLevelObserved'],
      ]) {
        const t = await tenantWith(model, 'enforce');
        const res = await create(t, example(subject, model, uniqueId(model)));
        assert.equal(res.statusCode, 201, `${model}: ${res.body}`);
      }
    });

    it('create should answer 400 with the schema rules the upstream example breaks when the mode is enforce and the model is AirQualityObserved', async () => {
      const t = await tenantWith('AirQualityObserved', 'enforce');
      const res = await create(t, example('dataModel.Environment', 'AirQualityObserved', uniqueId('AirQualityObserved')));
      assertRefused(res, 'AirQualityObserved', [
        { pointer: '/dateObserved', message: 'must match format "date-time"' }, // "2016-03-15T11:00:00" has no offset
        { pointer: '/tsp', message: 'must be integer' }, // tsp: integer; the example has 73.3
        { pointer: '/windDirection', message: 'must be <= 180' }, // windDirection: maximum 180; the example has 186
      ]);
    });

    it('create should answer 400 when the mode is enforce and an attribute the model calls a Relationship is a Property', async () => {
      const t = await tenantWith('Streetlight', 'enforce');
      // feederID: "Relationship. … Unique ID of the streetlight feeder panel"; the upstream example has a Property.
      const res = await create(t, example('dataModel.Streetlighting', 'Streetlight', uniqueId('Streetlight')));
      assertRefused(res, 'Streetlight', [{ pointer: '/feederID', message: 'is a Property, where the model describes a Relationship' }]);
    });

    it('create should answer 201 and record the violations when the mode is warn', async () => {
      const t = await tenantWith('ParkingSpot', 'warn');
      const id = uniqueId('ParkingSpot');
      const e = parkingSpot(id);
      e.status = { type: 'Property', value: 'reserved' };
      const res = await create(t, e);
      assert.equal(res.statusCode, 201, res.body);
      const [w, ...more] = await warnings(t);
      assert.deepEqual(more, []);
      assert.equal(w.entityId, id);
      assert.equal(w.model, 'ParkingSpot');
      assert.equal(w.typeIri, 'https://smartdatamodels.org/dataModel.Parking/ParkingSpot');
      assert.deepEqual(w.violations, [{ pointer: '/status', message: STATUS_ENUM }]);
      assert.ok(!Number.isNaN(Date.parse(w.recordedAt)));
      assert.equal((await getEntity(h().app, id, '', tenantHeaders(t))).status.value, 'reserved');
    });

    it('update should clear the recorded violations when the mode is warn and the entity conforms again', async () => {
      const t = await tenantWith('ParkingSpot', 'warn');
      const id = uniqueId('ParkingSpot');
      const e = parkingSpot(id);
      e.status = { type: 'Property', value: 'reserved' };
      await created(t, e);
      assert.equal((await warnings(t)).length, 1);
      const fix = await send(h().app, 'PATCH', entityUrl(id, '/attrs'), { status: { type: 'Property', value: 'occupied' } }, linked(t, PARKING));
      assert.equal(fix.statusCode, 204, fix.body);
      assert.deepEqual(await warnings(t), []);
    });

    it('create should answer 201 and record nothing when the mode is off', async () => {
      const t = uniqueTenant('off');
      const e = parkingSpot(uniqueId('ParkingSpot'));
      e.status = { type: 'Property', value: 'reserved' };
      assert.equal((await create(t, e)).statusCode, 201);
      assert.deepEqual(await warnings(t), []);
    });

    it('create should answer 201 when the model is enforced in another tenant only', async () => {
      await tenantWith('ParkingSpot', 'enforce');
      const e = parkingSpot(uniqueId('ParkingSpot'));
      e.status = { type: 'Property', value: 'reserved' };
      assert.equal((await create(uniqueTenant('other'), e)).statusCode, 201);
    });

    it('create should answer 201 again when the mode goes from enforce back to off', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const e = parkingSpot(uniqueId('ParkingSpot'));
      e.status = { type: 'Property', value: 'reserved' };
      assert.equal((await create(t, e)).statusCode, 400);
      await setMode(h().app, t, 'ParkingSpot', 'off');
      assert.equal((await create(t, e)).statusCode, 201);
    });

    // ------------------------------------------------------------------------------------------ every write path

    it('update attributes should answer 400 and leave the entity as it was when the mode is enforce and the new value breaks the model', async () => {
      const t = await tenantWith('Streetlight', 'enforce');
      const e = example('dataModel.Streetlighting', 'Streetlight', uniqueId('Streetlight'));
      delete e.feederID;
      const id = await created(t, e);
      const res = await send(h().app, 'PATCH', entityUrl(id, '/attrs'), { powerState: { type: 'Property', value: 'blinking' } }, linked(t, 'dataModel.Streetlighting'));
      assertRefused(res, 'Streetlight', [{ pointer: '/powerState', message: 'must be one of bootingUp, low, off, on' }]);
      assert.equal((await getEntity(h().app, id, '', linked(t, 'dataModel.Streetlighting'))).powerState.value, 'off');
    });

    it('append attributes should answer 400 when the mode is enforce and the appended value is out of the model bounds', async () => {
      const t = await tenantWith('WasteContainer', 'enforce');
      const id = await created(t, example('dataModel.WasteManagement', 'WasteContainer', uniqueId('WasteContainer')));
      const headers = linked(t, 'dataModel.WasteManagement');
      const res = await send(h().app, 'POST', entityUrl(id, '/attrs'), { fillingLevel: { type: 'Property', value: 1.5 } }, headers);
      assertRefused(res, 'WasteContainer', [{ pointer: '/fillingLevel', message: 'must be <= 1' }]); // fillingLevel: maximum 1
      assert.equal((await getEntity(h().app, id, '', headers)).fillingLevel, undefined);
      const ok = await send(h().app, 'POST', entityUrl(id, '/attrs'), { fillingLevel: { type: 'Property', value: 0.5 } }, headers);
      assert.equal(ok.statusCode, 204, ok.body);
    });

    it('merge entity should answer 400 when the mode is enforce and the merged value breaks the model', async () => {
      const t = await tenantWith('WeatherObserved', 'enforce');
      const id = await created(t, example('dataModel.Weather', 'WeatherObserved', uniqueId('WeatherObserved')));
      const res = await send(h().app, 'PATCH', entityUrl(id), { precipitation: -1 }, linked(t, 'dataModel.Weather'));
      assertRefused(res, 'WeatherObserved', [{ pointer: '/precipitation', message: 'must be >= 0' }]); // precipitation: minimum 0
    });

    it('replace entity should answer 400 when the mode is enforce and the replacement lacks a required attribute', async () => {
      const t = await tenantWith('NoiseLevelObserved', 'enforce');
      const id = await created(t, example('dataModel.Environment', 'NoiseLevelObserved', uniqueId('NoiseLevelObserved')));
      const replacement = example('dataModel.Environment', 'NoiseLevelObserved', id);
      delete replacement.dateObservedTo;
      const res = await send(h().app, 'PUT', entityUrl(id), replacement, tenantHeaders(t, LD));
      // required: id, type, dateObservedFrom, dateObservedTo, location
      assertRefused(res, 'NoiseLevelObserved', [{ pointer: '/dateObservedTo', message: 'is required by the model' }]);
    });

    it('partial attribute update should answer 400 when the mode is enforce and the value breaks the model', async () => {
      const t = await tenantWith('TrafficFlowObserved', 'enforce');
      const id = await created(t, example('dataModel.Transportation', 'TrafficFlowObserved', uniqueId('TrafficFlowObserved')));
      const res = await send(h().app, 'PATCH', entityUrl(id, '/attrs/occupancy'), { value: 2 }, linked(t, 'dataModel.Transportation'));
      assertRefused(res, 'TrafficFlowObserved', [{ pointer: '/occupancy', message: 'must be <= 1' }]); // occupancy: maximum 1
    });

    it('replace attribute should answer 400 when the mode is enforce and the value is not in the model enum', async () => {
      const t = await tenantWith('TrafficFlowObserved', 'enforce');
      const id = await created(t, example('dataModel.Transportation', 'TrafficFlowObserved', uniqueId('TrafficFlowObserved')));
      const res = await send(h().app, 'PUT', entityUrl(id, '/attrs/laneDirection'), { type: 'Property', value: 'sideways' }, linked(t, 'dataModel.Transportation'));
      assertRefused(res, 'TrafficFlowObserved', [{ pointer: '/laneDirection', message: 'must be one of forward, backward' }]);
    });

    it('delete attribute should answer 400 when the mode is enforce and the attribute is required', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const id = await created(t, parkingSpot(uniqueId('ParkingSpot')));
      const res = await send(h().app, 'DELETE', entityUrl(id, '/attrs/status'), undefined, linked(t, PARKING));
      assertRefused(res, 'ParkingSpot', [{ pointer: '/status', message: 'is required by the model' }]);
      const name = await send(h().app, 'DELETE', entityUrl(id, '/attrs/name'), undefined, linked(t, PARKING));
      assert.equal(name.statusCode, 204, 'name is optional');
    });

    // ------------------------------------------------------------------------------------------ batch operations

    /** Checks a 207 whose one error is `bad`'s refusal with `expected`. */
    const assertBatch = (res: { statusCode: number; body: string; json(): unknown }, good: string[], bad: string, expected: Violation[]) => {
      assert.equal(res.statusCode, 207, res.body);
      const body = res.json() as { success: string[]; errors: Array<{ entityId: string; error: Record<string, unknown> }> };
      assert.deepEqual(body.success.sort(), [...good].sort());
      assert.equal(body.errors.length, 1, res.body);
      assert.equal(body.errors[0].entityId, bad);
      assert.equal(body.errors[0].error.type, `${ERRORS}BadRequestData`);
      assert.equal(body.errors[0].error.model, 'ParkingSpot');
      assert.deepEqual(sorted(body.errors[0].error.violations as Violation[]), sorted(expected));
    };
    const reserved = (id: string) => ({ ...parkingSpot(id), status: { type: 'Property', value: 'reserved' } });

    it('batch create should answer 207 with the refused entity and create the others when the mode is enforce', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const [good, bad] = [uniqueId('ParkingSpot'), uniqueId('ParkingSpot')];
      const res = await send(h().app, 'POST', `${BATCH}/create`, [parkingSpot(good), reserved(bad)], tenantHeaders(t, LD));
      assertBatch(res, [good], bad, [{ pointer: '/status', message: STATUS_ENUM }]);
      assert.equal((await h().app.inject({ method: 'GET', url: entityUrl(bad), headers: tenantHeaders(t) })).statusCode, 404);
    });

    it('batch upsert should answer 207 with the refused entity and write the others when the mode is enforce', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const [existing, fresh, bad] = [uniqueId('ParkingSpot'), uniqueId('ParkingSpot'), uniqueId('ParkingSpot')];
      await created(t, parkingSpot(existing));
      const res = await send(h().app, 'POST', `${BATCH}/upsert`, [parkingSpot(existing), parkingSpot(fresh), reserved(bad)], tenantHeaders(t, LD));
      assertBatch(res, [existing, fresh], bad, [{ pointer: '/status', message: STATUS_ENUM }]);
    });

    it('batch update should answer 207 with the refused entity and update the others when the mode is enforce', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const [a, b] = [uniqueId('ParkingSpot'), uniqueId('ParkingSpot')];
      await created(t, parkingSpot(a));
      await created(t, parkingSpot(b));
      const res = await send(h().app, 'POST', `${BATCH}/update`, [{ id: a, status: { type: 'Property', value: 'occupied' } }, { id: b, status: { type: 'Property', value: 'reserved' } }], linked(t, PARKING));
      assertBatch(res, [a], b, [{ pointer: '/status', message: STATUS_ENUM }]);
      assert.equal((await getEntity(h().app, a, '', linked(t, PARKING))).status.value, 'occupied');
      assert.equal((await getEntity(h().app, b, '', linked(t, PARKING))).status.value, 'free');
    });

    it('batch merge should answer 207 with the refused entity and merge the others when the mode is enforce', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const [a, b] = [uniqueId('ParkingSpot'), uniqueId('ParkingSpot')];
      await created(t, parkingSpot(a));
      await created(t, parkingSpot(b));
      const res = await send(h().app, 'POST', `${BATCH}/merge`, [{ id: a, width: 2.5 }, { id: b, width: -1 }], linked(t, PARKING));
      assertBatch(res, [a], b, [{ pointer: '/width', message: 'must be >= 0' }]); // width: minimum 0
    });

    it('batch upsert should record the violations of every written entity when the mode is warn', async () => {
      const t = await tenantWith('ParkingSpot', 'warn');
      const [a, b] = [uniqueId('ParkingSpot'), uniqueId('ParkingSpot')];
      const res = await send(h().app, 'POST', `${BATCH}/upsert`, [reserved(a), reserved(b)], tenantHeaders(t, LD));
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual((await warnings(t)).map((w) => w.entityId).sort(), [a, b].sort());
      assert.deepEqual((await warnings(t, `?id=${encodeURIComponent(a)}`)).map((w) => w.entityId), [a]);
    });

    // ------------------------------------------------------------------------------------------ representations and contexts

    it('create should validate in the default vocabulary when the entity is written without the model @context', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const plain = {
        id: uniqueId('ParkingSpot'),
        type: 'ParkingSpot',
        status: 'free',
        category: ['onStreet'],
        refParkingSite: { type: 'Relationship', object: 'urn:ngsi-ld:ParkingSite:1' },
        location: { type: 'Point', coordinates: [2.17, 41.38] },
      };
      assert.equal((await send(h().app, 'POST', ENTITIES, plain, tenantHeaders(t))).statusCode, 201);
      const res = await send(h().app, 'POST', ENTITIES, { ...plain, id: uniqueId('ParkingSpot'), status: 'reserved', category: [] }, tenantHeaders(t));
      assertRefused(res, 'ParkingSpot', [
        { pointer: '/category', message: 'must NOT have fewer than 1 items' }, // category: minItems 1
        { pointer: '/status', message: STATUS_ENUM },
      ]);
    });

    it('create should validate concise input when the mode is enforce', async () => {
      const t = await tenantWith('WasteContainer', 'enforce');
      const concise = { id: uniqueId('WasteContainer'), type: 'WasteContainer', location: { type: 'Point', coordinates: [1, 2] }, fillingLevel: 2, storedWasteKind: 'glass' };
      const res = await send(h().app, 'POST', ENTITIES, concise, linked(t, 'dataModel.WasteManagement'));
      assertRefused(res, 'WasteContainer', [{ pointer: '/fillingLevel', message: 'must be <= 1' }]);
    });

    it('create should name the dataset of the instance that breaks the model when an attribute has several instances', async () => {
      const t = await tenantWith('ParkingSpot', 'enforce');
      const e = parkingSpot(uniqueId('ParkingSpot'));
      e.status = [
        { type: 'Property', value: 'free' },
        { type: 'Property', value: 'reserved', datasetId: 'urn:ngsi-ld:Dataset:camera' },
      ];
      assertRefused(await create(t, e), 'ParkingSpot', [{ pointer: '/status', message: STATUS_ENUM, datasetId: 'urn:ngsi-ld:Dataset:camera' }]);
    });
  },
  { modelsDir: SDM_DIR },
);
