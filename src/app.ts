import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { batchRoutes } from './api/batch.js';
import { contextRoutes } from './api/contexts.js';
import { csourceSubscriptionRoutes } from './api/csr-subscriptions.js';
import { registrationRoutes } from './api/csr.js';
import type { ApiDeps } from './api/deps.js';
import { discoveryRoutes } from './api/discovery.js';
import { entityAttrRoutes } from './api/entity-attrs.js';
import { entityRoutes } from './api/entities.js';
import { JSON_TYPES, parseJson } from './api/body.js';
import { clientErrors, frameworkErrors, installErrorHandling, MAX_PARAM_LENGTH } from './api/errors.js';
import { infoRoutes, type Identity } from './api/info.js';
import { modelRoutes } from './api/models.js';
import { queryRoutes } from './api/query.js';
import { subscriptionRoutes } from './api/subscriptions.js';
import { temporalRoutes } from './api/temporal.js';
import type { Config } from './config.js';
import { createIotAgent, installIotAgent } from './iot/install.js';
import { installDemo, isSimulatorRequest } from './demo/install.js';
import { ContextService } from './contexts/service.js';
import { unwrap } from './core/problem.js';
import { before } from './core/temporal/duration.js';
import { RegistrationPresence } from './federation/presence.js';
import { ModelService } from './models/service.js';
import { EndpointPolicy, GuardedSender } from './notify/endpoint-policy.js';
import { Notifier } from './notify/notifier.js';
import { Senders } from './notify/senders/index.js';
import { installPortal } from './portal/install.js';
import type { Store } from './store/port.js';

export interface AppOptions {
  config: Config;
  store: Store;
  /** Storage engine name, reported by /health and /info. */
  engine: string;
  /** Clock; tests may fix it. */
  now?: () => string;
  /** Log destination; defaults to stdout at config.logLevel. */
  logger?: boolean | Record<string, unknown>;
}

/**
 * Builds the application (routes, parsers, error boundary) from a validated config and a store.
 * It does not listen: main.ts does, and tests use inject().
 */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: o.logger ?? { level: o.config.logLevel },
    bodyLimit: o.config.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    genReqId: () => randomUUID(),
    frameworkErrors,
    clientErrorHandler: clientErrors,
    forceCloseConnections: true,
    // the demo city's simulator, when it sends measures in-process, would log two lines a measure
    logController: new LogController({ disableRequestLogging: isSimulatorRequest }),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, parseJson);
  installErrorHandling(app);

  // The IoT agent sees the NGSI-LD API's writes (command attributes become commands) through the store it wraps.
  const iot = o.config.iot ? createIotAgent(o.store, o.config, app.log) : undefined;
  const identity: Identity = { id: `urn:ngsi-ld:ContextSource:${randomUUID()}`, alias: 'mimosa', startedAt: Date.now() };
  const presence = new RegistrationPresence(o.store.registrations, app.log);
  const deps: ApiDeps = {
    config: o.config,
    store: iot ? iot.observe(o.store) : o.store,
    engine: o.engine,
    contexts: new ContextService(o.store, { timeoutMs: o.config.contextTimeoutMs, maxBytes: o.config.contextMaxBytes }),
    endpointPolicy: new EndpointPolicy(o.config.notificationDeny),
    now: o.now ?? (() => new Date().toISOString()),
    models: new ModelService({
      store: o.store,
      compileContext: (entries) => deps.contexts.termMap(entries),
      directory: o.config.modelsDir,
      now: () => deps.now(),
      log: app.log,
    }),
    federation: {
      self: identity.id,
      timeoutMs: o.config.federationTimeoutMs,
      registrations: o.store.registrations,
      now: () => deps.now(),
      deny: (uri) => deps.endpointPolicy.deniedResolved(uri),
      presence,
    },
  };

  entityRoutes(app, deps);
  entityAttrRoutes(app, deps);
  queryRoutes(app, deps);
  batchRoutes(app, deps);
  contextRoutes(app, deps);
  discoveryRoutes(app, deps);
  subscriptionRoutes(app, deps);
  registrationRoutes(app, deps);
  csourceSubscriptionRoutes(app, deps);
  temporalRoutes(app, deps);
  infoRoutes(app, deps, identity);
  modelRoutes(app, deps);
  app.addHook('onReady', () => deps.models.start());
  app.addHook('onReady', () => presence.start());
  app.addHook('onClose', () => presence.stop());
  app.addHook('onClose', () => deps.models.stop());
  if (iot) installIotAgent(app, iot, o.store, o.config);
  const c = o.config;
  const demo = { mode: c.demo, rate: c.demoRate, tenant: c.demoTenant, embedded: o.engine === 'pglite', historyHours: c.demoHistoryHours, iot: c.iot, iotPort: c.iotPort, host: c.host };
  installDemo(app, demo, app.log);
  if (o.config.portal) installPortal(app, { store: o.store, publicUrl: o.config.portalUrl });
  if (o.config.notifier) startNotifier(app, deps);
  startTemporalUpkeep(app, deps);
  return app;
}

/** Hourly partition upkeep and retention of the temporal evolution (store/temporal/partitions.ts), from start on. */
const UPKEEP_MS = 3_600_000;

function startTemporalUpkeep(app: FastifyInstance, deps: ApiDeps): void {
  const retention = deps.config.temporalRetention;
  const run = async () => {
    const now = Date.now();
    try {
      const retentionMs = retention === undefined ? undefined : now - before(now, retention);
      const r = await deps.store.maintainTemporal({ now, retentionMs });
      if (r.created + r.dropped + r.deleted > 0) app.log.info(r, 'temporal partitions kept');
    } catch (err) {
      app.log.error({ err }, 'temporal partition upkeep failed');
    }
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  app.addHook('onReady', async () => {
    await (running = run());
    timer = setInterval(() => void (running = run()), UPKEEP_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}

/** Runs the notification worker (notify/notifier.ts) while the application is up. */
function startNotifier(app: FastifyInstance, deps: ApiDeps): void {
  const senders = new GuardedSender(deps.endpointPolicy, new Senders());
  const c = deps.config;
  const notifier = new Notifier({
    outbox: deps.store.outbox,
    entities: deps.store,
    senders,
    termMap: async (context) => unwrap(await deps.contexts.termMap(context)),
    timeoutMs: c.notificationTimeoutMs,
    maxAttempts: c.notificationMaxAttempts,
    retryMs: c.notificationRetryMs,
    concurrency: c.notificationConcurrency,
    maxEntities: c.notificationMaxEntities,
    now: deps.now,
    log: app.log,
  });
  app.addHook('onReady', () => notifier.start());
  app.addHook('onClose', async () => {
    await notifier.stop();
    await senders.close();
  });
}
