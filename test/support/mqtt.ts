import mqtt from 'mqtt';

/** The MQTT broker the suites use: the Mosquitto of the machine unless MIMOSA_TEST_MQTT_URL says otherwise. */
export const MQTT_URL = process.env.MIMOSA_TEST_MQTT_URL || 'mqtt://127.0.0.1:1883';

/** Why `url` cannot be used (printed as the skip reason; a failure under CI=true), or undefined when it answers. */
export async function mqttUnavailable(url = MQTT_URL): Promise<string | undefined> {
  try {
    const c = await mqtt.connectAsync(url, { connectTimeout: 3000, reconnectPeriod: 0 });
    await c.endAsync();
    return undefined;
  } catch (e) {
    return `no MQTT broker at ${url}: ${(e as Error).message}`;
  }
}
