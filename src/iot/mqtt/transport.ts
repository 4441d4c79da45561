/** Where the agent meets its devices over MQTT: a broker of its own, or one it subscribes to. */
export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface MqttTransport {
  /** Starts receiving the device topics (src/iot/mqtt/topics.ts) into `onMessage`. */
  start(onMessage: MessageHandler): Promise<void>;
  /** Publishes a command (QoS 1: kept for devices with a persistent session). */
  publish(topic: string, payload: string): Promise<void>;
  /** Where devices connect, e.g. mqtt://127.0.0.1:1883 (after start). */
  readonly url: string | undefined;
  /** Whether device messages arrive now. */
  readonly connected: boolean;
  stop(): Promise<void>;
}
