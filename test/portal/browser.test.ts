/**
 * The portal end to end, in Debian's Chromium driven by playwright-core, against a Mimosa listening on a free port
 * with the demo city (src/demo) provisioned in a tenant of its own, with its backfilled history and its simulator
 * publishing through the IoT agent (embedded MQTT broker on a free port): the map shows every located entity, the
 * simulator's measures and a write through the API reach the page live, the explorer filters by type, an entity page
 * draws its history chart. Expected figures come from the API, never from the fixture. Screenshots go to
 * test-artifacts/ (gitignored). Without /usr/bin/chromium the suite is skipped with the reason, except under
 * CI=true, where it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildIotApp, poll } from '../iot/support.js';
import { openTestStore } from '../support/engines.js';
import { entityUrl, ENTITIES, send, uniqueTenant } from '../support/http.js';
import { ensureBundle } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
const skip = missing !== undefined && process.env.CI !== 'true' ? missing : false;
/** A streetlight whose lamp works (src/demo/documents.ts): its `status` is no device's measure, so only the test writes it. */
const LIGHT = 'urn:ngsi-ld:Streetlight:santander-001';
/** More than the entity page's default period (24 hours), and quick to write (about 4 s on PGlite). */
const HISTORY_HOURS = 26;

describe('Portal in a browser, on the demo city', { skip }, () => {
  let app: FastifyInstance;
  let dispose: () => Promise<void>;
  let browser: BrowserContext;
  let page: Page;
  let base: string;
  let profile: string;
  const tenant = uniqueTenant('city');
  const headers = { 'NGSILD-Tenant': tenant };

  /** NGSILD-Results-Count of a query of the demo's tenant (clause 6.3.13). */
  async function countOf(query: string): Promise<number> {
    const res = await send(app, 'GET', `${ENTITIES}?${query}&count=true&limit=0`, undefined, headers);
    assert.equal(res.statusCode, 200, res.body);
    return Number(res.headers['ngsild-results-count']);
  }

  before(async () => {
    assert.equal(missing, undefined, missing);
    ensureBundle();
    mkdirSync(ARTIFACTS, { recursive: true });
    const opened = await openTestStore('pglite');
    dispose = opened.dispose;
    ({ app } = await buildIotApp(opened.store, { notifier: true, notificationRetryMs: 50, demo: 'on', demoTenant: tenant, demoRate: 10, demoHistoryHours: HISTORY_HOURS }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    // provisioning (entities, then history, then devices) runs at start; the simulator starts once it is done
    await poll('the demo city to run', async () => ((await send(app, 'GET', '/mimosa/demo')).json().running ? true : undefined), 60_000);
    profile = mkdtempSync(join(tmpdir(), 'mimosa-chromium-'));
    // A fresh profile each run (playwright-core takes it as launchPersistentContext's userDataDir, not as an argument).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
    page = await browser.newPage();
    page.setDefaultTimeout(30_000);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await dispose?.();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Entities on the map: single markers plus the counts of clusters. */
  const drawn = () =>
    page.evaluate(() => {
      const singles = document.querySelectorAll('.entity-marker').length;
      const clustered = [...document.querySelectorAll('.entity-cluster [data-count]')].reduce((n, e) => n + Number(e.getAttribute('data-count')), 0);
      return { singles, clusters: document.querySelectorAll('.entity-cluster').length, total: singles + clustered };
    });

  it('map should show every located entity of the demo city, clustering the dense ones, when the portal opens', async () => {
    const located = await countOf('attrs=location');
    assert.ok(located > 300, `the demo city's located entities: ${located}`);
    await page.goto(`${base}/?tenant=${tenant}`);
    await page.waitForSelector('#live-state:text("Live")');
    await page.waitForSelector(`.map-count:text-is("${located} located entities")`);
    await page.waitForFunction((n) => {
      const singles = document.querySelectorAll('.entity-marker').length;
      const clustered = [...document.querySelectorAll('.entity-cluster [data-count]')].reduce((s, e) => s + Number(e.getAttribute('data-count')), 0);
      return singles + clustered === n;
    }, located);
    const d = await drawn();
    assert.equal(d.total, located);
    assert.ok(d.clusters >= 1, `a city's dense streets make clusters: ${JSON.stringify(d)}`);
    assert.ok(await page.locator('.leaflet-overlay-pane path').count() > 0, 'the basemap is drawn');
    assert.equal(await page.locator('.legend h3').count(), 8, 'a legend entry for each kind the map colours');
    await page.screenshot({ path: `${ARTIFACTS}portal-map.png` });
  });

  it('the simulator\'s measures should reach the open page live', async () => {
    await page.waitForSelector('#live-log li a[href^="/entity/"]');
  });

  it('a write through the API should reach the map when an attribute changes', async () => {
    await page.goto(`${base}/?tenant=${tenant}&focus=${encodeURIComponent(LIGHT)}`);
    await page.waitForSelector('#live-state:text("Live")');
    const marker = page.locator(`.marker[data-id="${LIGHT}"]`);
    await marker.waitFor();
    assert.ok(['on', 'off'].includes(String(await marker.getAttribute('data-state'))), 'a working lamp is on or off');
    const patched = await send(app, 'PATCH', entityUrl(LIGHT, '/attrs'), { status: { type: 'Property', value: 'defectiveLamp' } }, headers);
    assert.equal(patched.statusCode, 204, patched.body);
    await page.waitForSelector(`.marker[data-id="${LIGHT}"][data-state="defective"]`);
    await page.waitForSelector(`#live-log a:text("${LIGHT}")`);
    await page.screenshot({ path: `${ARTIFACTS}portal-live-update.png` });
  });

  it('explorer should list only the chosen type, as many as the API counts, when filtered by type', async () => {
    const expected = await countOf('type=WasteContainer');
    assert.ok(expected > 20, `more than a page of waste containers: ${expected}`);
    await page.click('nav[aria-label="Portal"] a:text("Explorer")');
    await page.waitForSelector('#result-count');
    await page.selectOption('select[name="type"]', 'WasteContainer');
    await page.click('button:text("Search")');
    await page.waitForSelector(`#result-count:text-is("${expected}")`);
    const types = await page.locator('table.results tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    assert.deepEqual(types, Array(20).fill('WasteContainer'), 'a first page of 20, all of the type');
    assert.match(page.url(), /\/explore\?type=WasteContainer/);
    await page.screenshot({ path: `${ARTIFACTS}portal-explorer.png`, fullPage: true });
  });

  it('entity page should draw the history chart from the backfilled history when opened', async () => {
    const link = page.locator('table.results tbody tr a[href^="/entity/"]').first();
    const id = String(await link.textContent());
    await link.click();
    await page.waitForSelector(`h1.entity-id:text-is("${id}")`);
    await page.waitForSelector('.chart canvas');
    assert.equal(await page.locator('.history select').first().inputValue(), 'fillingLevel');
    const points = Number(await page.locator('.chart').getAttribute('data-points'));
    assert.ok(points >= 20, `hourly figures of the last 24 hours: ${points}`);
    assert.equal(await page.locator('a:text("on the map")').count(), 1, 'a located entity links to the map');
    await page.screenshot({ path: `${ARTIFACTS}portal-entity.png`, fullPage: true });
  });

  it('catalogue and operator pages should show the types, the live subscription and the devices when opened', async () => {
    await page.goto(`${base}/catalogue`);
    await page.waitForSelector('#types th:has-text("WasteContainer")');
    await page.screenshot({ path: `${ARTIFACTS}portal-catalogue.png`, fullPage: true });
    await page.goto(`${base}/operator/subscriptions`);
    await page.waitForSelector('th:has-text("mimosa-portal-live")');
    await page.screenshot({ path: `${ARTIFACTS}portal-subscriptions.png`, fullPage: true });
    await page.goto(`${base}/api-reference`);
    await page.waitForSelector('details.operation summary:has-text("/ngsi-ld/v1/entities")');
  });
});
