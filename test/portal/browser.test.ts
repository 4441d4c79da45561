/**
 * The portal end to end, in Debian's Chromium driven by playwright-core, against a Mimosa listening on a free port
 * with a small city of the demo's types: the map shows every entity, a write reaches the page live, the explorer
 * filters, an entity page draws its history chart. Screenshots go to test-artifacts/ (gitignored).
 * Without /usr/bin/chromium the suite is skipped with the reason, except under CI=true, where it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { openTestStore } from '../support/engines.js';
import { buildTestApp, entityUrl, ENTITIES, send, uniqueTenant } from '../support/http.js';
import { ensureBundle, fixtureCity, lastDay } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
const skip = missing !== undefined && process.env.CI !== 'true' ? missing : false;

describe('Portal in a browser', { skip }, () => {
  let app: FastifyInstance;
  let dispose: () => Promise<void>;
  let browser: BrowserContext;
  let page: Page;
  let base: string;
  let profile: string;
  const tenant = uniqueTenant('city');
  const prefix = tenant.replace(/[^a-z0-9]/gi, '');
  const city = fixtureCity(prefix);
  const headers = { 'NGSILD-Tenant': tenant };

  before(async () => {
    assert.equal(missing, undefined, missing);
    ensureBundle();
    mkdirSync(ARTIFACTS, { recursive: true });
    const opened = await openTestStore('pglite');
    dispose = opened.dispose;
    app = await buildTestApp(opened.store, { notifier: true, notificationRetryMs: 50 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const created = await send(app, 'POST', '/ngsi-ld/v1/entityOperations/create', city, headers);
    assert.equal(created.statusCode, 201, created.body);
    const history = await send(app, 'POST', `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(String(city[1].id))}/attrs`, lastDay('no2', 40), headers);
    assert.equal(history.statusCode, 204, history.body);
    profile = mkdtempSync(join(tmpdir(), 'mimosa-chromium-'));
    // A fresh profile each run (playwright-core takes it as launchPersistentContext's userDataDir, not as an argument).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
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

  it('map should show every located entity, clustering the dense ones, when the portal opens', async () => {
    await page.goto(`${base}/?tenant=${tenant}`);
    await page.waitForSelector('#live-state:text("Live")');
    await page.waitForSelector(`.map-count:text("${city.length} located entities")`);
    await page.waitForFunction((n) => {
      const singles = document.querySelectorAll('.entity-marker').length;
      const clustered = [...document.querySelectorAll('.entity-cluster [data-count]')].reduce((s, e) => s + Number(e.getAttribute('data-count')), 0);
      return singles + clustered === n;
    }, city.length);
    const d = await drawn();
    assert.equal(d.total, city.length);
    assert.ok(d.clusters >= 1, `the four side-by-side parking spots make a cluster: ${JSON.stringify(d)}`);
    assert.ok(await page.locator('.leaflet-overlay-pane path').count() > 0, 'the basemap is drawn');
    await page.screenshot({ path: `${ARTIFACTS}portal-map.png` });
  });

  it('a write through the API should reach the open page when an attribute changes', async () => {
    const id = String(city[0].id);
    const marker = page.locator(`.marker[data-id="${id}"]`);
    assert.equal(await marker.getAttribute('data-state'), 'free');
    const patched = await send(app, 'PATCH', entityUrl(id, '/attrs'), { status: { type: 'Property', value: 'occupied' } }, headers);
    assert.equal(patched.statusCode, 204, patched.body);
    await page.waitForSelector(`.marker[data-id="${id}"][data-state="occupied"]`);
    await page.waitForSelector(`#live-log a:text("${id}")`);
    await page.screenshot({ path: `${ARTIFACTS}portal-live-update.png` });
  });

  it('explorer should list only the chosen type when filtered by type', async () => {
    await page.click('nav[aria-label="Portal"] a:text("Explorer")');
    await page.waitForSelector(`#result-count:text("${city.length}")`);
    await page.selectOption('select[name="type"]', 'AirQualityObserved');
    await page.click('button:text("Search")');
    await page.waitForSelector('#result-count:text("3")');
    const types = await page.locator('table.results tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    assert.deepEqual(types, ['AirQualityObserved', 'AirQualityObserved', 'AirQualityObserved']);
    assert.match(page.url(), /\/explore\?type=AirQualityObserved/);
    await page.screenshot({ path: `${ARTIFACTS}portal-explorer.png`, fullPage: true });
  });

  it('entity page should draw the history chart when the attribute has a history', async () => {
    const id = String(city[1].id);
    await page.click(`table.results a:text("${id}")`);
    await page.waitForSelector('h1.entity-id');
    await page.waitForSelector('.chart canvas');
    const points = Number(await page.locator('.chart').getAttribute('data-points'));
    assert.ok(points >= 20, `hourly averages of the last day: ${points}`);
    assert.ok(await page.locator(`a.relationship:text("${String(city[0].id)}")`).count() === 1, 'the relationship is a link');
    await page.check('input[value="keyValues"]');
    await page.waitForSelector('pre.json:has-text("\\"no2\\": 20")');
    await page.screenshot({ path: `${ARTIFACTS}portal-entity.png`, fullPage: true });
  });

  it('catalogue and operator pages should show the types and the live subscription when opened', async () => {
    await page.goto(`${base}/catalogue`);
    await page.waitForSelector('#types th:has-text("ParkingSpot")');
    await page.screenshot({ path: `${ARTIFACTS}portal-catalogue.png`, fullPage: true });
    await page.goto(`${base}/operator/subscriptions`);
    await page.waitForSelector('th:has-text("mimosa-portal-live")');
    await page.screenshot({ path: `${ARTIFACTS}portal-subscriptions.png`, fullPage: true });
    await page.goto(`${base}/api-reference`);
    await page.waitForSelector('details.operation summary:has-text("/ngsi-ld/v1/entities")');
    const res = await send(app, 'GET', `${ENTITIES}?type=ParkingSpot&count=true&limit=1`, undefined, headers);
    assert.equal(res.headers['ngsild-results-count'], '7');
  });
});
