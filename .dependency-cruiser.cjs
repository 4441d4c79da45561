/**
 * Layering (STYLE.md), deny by default: every file under src/ belongs to a declared layer, and
 * dependencies point inward. core depends on nothing of ours; api never touches an engine.
 */
const layers = ['core', 'store', 'contexts', 'api', 'notify', 'federation', 'iot', 'models', 'portal', 'demo'];
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'core/ imports nothing outside core/ (and no Node I/O modules)',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: ['^src/core/', '^node_modules/'], dependencyTypesNot: ['npm', 'npm-dev'] },
    },
    {
      name: 'core-no-io',
      severity: 'error',
      from: { path: '^src/core/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(fs|net|http|https|child_process|node:fs|node:net|node:http|node:https|node:child_process)$' },
    },
    {
      name: 'no-engine-outside-store',
      comment: 'only store/open.ts loads an engine; everything else uses the port',
      severity: 'error',
      from: { pathNot: ['^src/store/'] },
      to: { path: '^src/store/engines/' },
    },
    {
      name: 'store-depends-on-core-only',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/', pathNot: ['^src/store/', '^src/core/'] },
    },
    {
      name: 'contexts-depends-on-core-and-ports',
      severity: 'error',
      from: { path: '^src/contexts/' },
      to: { path: '^src/', pathNot: ['^src/contexts/', '^src/core/', '^src/store/port\\.ts$'] },
    },
    {
      name: 'api-uses-ports-not-store-implementation',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/store/', pathNot: ['^src/store/port\\.ts$', '^src/store/errors\\.ts$'] },
    },
    {
      name: 'inner-layers-never-import-api-or-app',
      severity: 'error',
      from: { path: '^src/(core|store|contexts|notify|iot|portal)/' },
      to: { path: '^src/(api/|app\\.ts|main\\.ts)' },
    },
    {
      name: 'notify-depends-on-core-and-ports',
      severity: 'error',
      from: { path: '^src/notify/' },
      to: { path: '^src/', pathNot: ['^src/notify/', '^src/core/', '^src/store/port\\.ts$'] },
    },
    {
      name: 'models-depends-on-core-and-ports',
      comment: 'Smart Data Models (src/models): core and the storage port only; api may import models',
      severity: 'error',
      from: { path: '^src/models/' },
      to: { path: '^src/', pathNot: ['^src/models/', '^src/core/', '^src/store/port\\.ts$'] },
    },
    {
      name: 'iot-depends-on-core-and-ports',
      comment: 'the IoT agent (provisioning, transports, codecs) uses core and the storage port; app.ts wires it',
      severity: 'error',
      from: { path: '^src/iot/' },
      to: { path: '^src/', pathNot: ['^src/iot/', '^src/core/', '^src/store/port\\.ts$'] },
    },
    {
      name: 'federation-depends-on-core-and-ports',
      comment: 'distributed operations (issue #6 part 2) use the registration port and core/csr matching, never the store implementation or the API',
      severity: 'error',
      from: { path: '^src/federation/' },
      to: { path: '^src/', pathNot: ['^src/federation/', '^src/core/', '^src/store/port\\.ts$'] },
    },
    {
      name: 'portal-depends-on-core-and-ports',
      comment: 'the portal server (static files, live stream) uses core and the storage port; its front end (web/) is outside src',
      severity: 'error',
      from: { path: '^src/portal/' },
      to: { path: '^src/', pathNot: ['^src/portal/', '^src/core/', '^src/store/port\\.ts$'] },
    },
    {
      name: 'demo-depends-on-core-and-ports',
      comment: 'the demo city (src/demo) provisions and feeds Mimosa through its HTTP APIs (inject), like any client; app.ts wires it',
      severity: 'error',
      from: { path: '^src/demo/' },
      to: { path: '^src/', pathNot: ['^src/demo/', '^src/core/', '^src/store/port\\.ts$'] },
    },
    {
      name: 'every-file-in-a-layer',
      comment: 'deny by default: a source file outside the declared layers is an error',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(${layers.join('|')})/`, '^src/(app|main|config)\\.ts$'] },
      to: {},
    },
    { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.test\\.ts$' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
