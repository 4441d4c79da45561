/**
 * The IoT agent inside the application (app.ts wires it): its routes on Mimosa's HTTP server, or on a server of
 * their own on MIMOSA_IOT_PORT; its MQTT side, an embedded broker on MIMOSA_MQTT_PORT or the broker of
 * MIMOSA_MQTT_URL; started when the application is ready and stopped, measures drained, when it closes.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Store } from '../store/port.js';
import { IotAgent, type Log } from './agent.js';
import { IotHttpError, scopeOf, sendError } from './http/edge.js';
import { provisioningRoutes } from './http/provisioning.js';
import { southboundRoutes } from './http/southbound.js';
import { EmbeddedBroker, MQTT_DEFAULT_PORT } from './mqtt/embedded.js';
import { ExternalBroker } from './mqtt/external.js';

export interface IotSettings {
  /** undefined: an embedded broker on mqttPort. */
  mqttUrl: string | undefined;
  /** undefined: 1883 when it is free (see EmbeddedBroker). */
  mqttPort: number | undefined;
  /** Shared-subscription group on the external broker. */
  mqttGroup: string;
  /** Address the embedded broker and the IoT port listen on. */
  host: string;
  /** undefined: the IoT routes are served by the application itself. */
  iotPort: number | undefined;
  iotAutoprovision: boolean;
  bodyLimit: number;
}

/** Creates the agent (not started): `agent.observe(store)` is the store the NGSI-LD API should write with. */
export function createIotAgent(store: Store, s: IotSettings, log: Log): IotAgent {
  const transport =
    s.mqttUrl === undefined
      ? new EmbeddedBroker(s.host, s.mqttPort ?? MQTT_DEFAULT_PORT, { optional: s.mqttPort === undefined, log })
      : new ExternalBroker(s.mqttUrl, s.mqttGroup, log);
  return new IotAgent({ store, transport, autoprovision: s.iotAutoprovision, log });
}

/** The agent's routes, in a scope of their own: bodies read as text, errors answered FIWARE's way. */
function iotRoutes(agent: IotAgent, store: Store) {
  return async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: FastifyError, req, reply) => {
      if (err instanceof IotHttpError) return sendError(reply, err.error);
      if (typeof err.statusCode === 'number' && err.statusCode < 500) return sendError(reply, { name: 'BAD_REQUEST', message: err.message });
      req.log.error({ err }, 'IoT agent: unexpected error');
      return sendError(reply, { name: 'INTERNAL_ERROR', message: `An internal error occurred; request id ${req.id}` });
    });
    provisioningRoutes(scope, agent, store.iot);
    southboundRoutes(scope, agent);

    // Implements FIWARE IoT Agent API: List IoTA information (with where devices connect over MQTT).
    scope.get('/iot/about', async (_req, reply) => reply.send({ libVersion: 'mimosa', version: '0.1.0', baseRoot: '/', mqtt: agent.mqtt ?? null }));

    // Mimosa's counters of each device's measures (written, rejected by reason) for the tenant, in this process.
    scope.get('/iot/stats', async (req, reply) => {
      const s = scopeOf(req);
      return reply.send({ ...agent.stats.totals, writes: agent.writes, devices: agent.stats.list(s.tenant, s.tenant === '') });
    });
  };
}

/** Serves the agent's routes and runs it with the application. */
export function installIotAgent(app: FastifyInstance, agent: IotAgent, store: Store, s: IotSettings): void {
  let server: FastifyInstance = app;
  if (s.iotPort === undefined) {
    void app.register(iotRoutes(agent, store));
  } else {
    server = Fastify({ loggerInstance: app.log, bodyLimit: s.bodyLimit, forceCloseConnections: true });
    void server.register(iotRoutes(agent, store));
  }
  app.addHook('onReady', async () => {
    await agent.start();
    if (server !== app) {
      await server.listen({ port: s.iotPort, host: s.host });
      app.log.info({ port: s.iotPort }, 'IoT agent: provisioning and HTTP measures on their own port');
    }
  });
  app.addHook('onClose', async () => {
    if (server !== app) await server.close();
    await agent.stop();
  });
}
