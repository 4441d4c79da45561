/**
 * Sustained MQTT ingestion (issue #7): devices publish Ultralight measures to the broker's embedded MQTT broker
 * from a separate process (bench/mqtt-driver.ts), and the IoT agent writes them as NGSI-LD attribute updates with
 * the temporal evolution on. A measure is one message: one observation of a device, two attributes (`t|21.5|h|40`).
 */
export interface MqttWorkload {
  name: 'mqtt';
  title: string;
  /** Devices, published to in turn (all autoprovisioned by the warm-up). */
  devices: number;
  /** Publisher connections. */
  connections: number;
  /** Most measures published and not yet written (or refused): the publisher waits beyond, so the queue stays bounded. */
  backlog: number;
}

export const MQTT_WORKLOAD: MqttWorkload = {
  name: 'mqtt',
  title: 'Ultralight measures (t|…|h|…) of 1,000 autoprovisioned devices over MQTT QoS 0 into the embedded broker, history on',
  devices: 1000,
  connections: 2,
  backlog: 10_000,
};
