/**
 * The IoT agent on an external broker: the Mosquitto server at 127.0.0.1:1883 (MIMOSA_MQTT_URL), on both engines.
 * Each suite subscribes in a shared-subscription group of its own, so that other processes using the same
 * Mosquitto never take its messages. Without Mosquitto the suite is skipped with the reason, except under
 * CI=true, where that is a failure.
 */
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { after, before, describe, it } from 'node:test';
import { EmbeddedBroker } from '../../src/iot/mqtt/embedded.js';
import { send, uniqueTenant } from '../support/http.js';
import { connect, describeIot, entityWhen, MOSQUITTO_URL, poll, provision } from './support.js';

async function probeMosquitto(): Promise<string | undefined> {
  try {
    const c = await connect(MOSQUITTO_URL);
    await c.endAsync();
    return undefined;
  } catch (e) {
    return `Mosquitto does not answer at ${MOSQUITTO_URL}: ${(e as Error).message}`;
  }
}

const unavailable = await probeMosquitto();

if (unavailable !== undefined && process.env.CI === 'true') {
  describe('IoT agent on Mosquitto', () => {
    it('needs Mosquitto at 127.0.0.1:1883 under CI=true', () => assert.fail(unavailable));
  });
} else if (unavailable !== undefined) {
  describe('IoT agent on Mosquitto', { skip: unavailable }, () => undefined);
} else {
  describe('Embedded MQTT broker beside Mosquitto (port 1883 taken)', () => {
    it('start should go on without MQTT and say how to use the other broker when the port was not asked for', async () => {
      const warned: string[] = [];
      const b = new EmbeddedBroker('127.0.0.1', 1883, { optional: true, log: { warn: (_o, msg) => warned.push(msg ?? '') } });
      await b.start(() => undefined);
      assert.deepEqual([b.url, b.connected], [undefined, false]);
      assert.equal(warned.length, 1);
      assert.match(warned[0] ?? '', /cannot listen on 127\.0\.0\.1:1883 .*MIMOSA_MQTT_URL=mqtt:\/\/127\.0\.0\.1:1883/);
      await b.stop();
    });

    it('start should fail when MIMOSA_MQTT_PORT asked for the port', async () => {
      const b = new EmbeddedBroker('127.0.0.1', 1883);
      await assert.rejects(b.start(() => undefined), /the embedded MQTT broker cannot listen on 127\.0\.0\.1:1883 .*set MIMOSA_MQTT_PORT/);
      await b.stop();
    });
  });

  describeIot(
    'IoT agent on Mosquitto',
    (h) => {
      let device: MqttClient;
      before(async () => {
        device = await connect(h().mqttUrl);
      });
      after(async () => {
        await device.endAsync();
      });

      it('measures and commands should go through Mosquitto when Mimosa subscribes to it', async () => {
        const tenant = uniqueTenant('mosq');
        const key = uniqueTenant('k');
        await provision(h().app, tenant, { apikey: key, resource: '', entity_type: 'Bell', attributes: [{ object_id: 'b', name: 'battery', type: 'Number' }] }, [
          { device_id: 'bell1', commands: [{ name: 'ring', type: 'command' }] },
        ]);
        const id = 'urn:ngsi-ld:Bell:bell1';
        await device.publishAsync(`/${key}/bell1/attrs`, 'b|87', { qos: 1 });
        await entityWhen(h().app, tenant, id, (e) => e.battery === 87, 'the measure through Mosquitto');
        const got: string[] = [];
        device.on('message', (t, p) => t === `/${key}/bell1/cmd` && got.push(p.toString()));
        await device.subscribeAsync(`/${key}/bell1/cmd`, { qos: 1 });
        const res = await send(h().app, 'PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs/ring`, { type: 'Property', value: 'x' }, { 'ngsild-tenant': tenant });
        assert.equal(res.statusCode, 204, res.body);
        await poll('the command through Mosquitto', async () => (got.length > 0 ? got : undefined));
        assert.deepEqual(got, ['bell1@ring|x']);
        await device.publishAsync(`/${key}/bell1/cmdexe`, 'bell1@ring|ok', { qos: 1 });
        await entityWhen(h().app, tenant, id, (e) => e.ring_status === 'OK' && e.ring_info === 'ok', 'the answer through Mosquitto');
      });
    },
    { mqttUrl: MOSQUITTO_URL, mqttGroup: uniqueTenant('mimosa_test') },
  );
}
