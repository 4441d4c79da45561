/**
 * One broker process per PGlite data directory (src/store/engines/data-dir-lock.ts): a second process started on a
 * directory in use refuses to start with a message naming the owner, and the owner keeps serving. (A process killed
 * with -9 leaves its lock behind; the next one takes it over: test/notify/processes.test.ts restarts on the same
 * directory after a kill.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startBroker, stopAll } from '../support/broker-process.js';

describe('PGlite data directory shared by two processes [pglite]', () => {
  const dirs: string[] = [];
  after(async () => {
    await stopAll();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('start should fail with the owner named when another broker holds the data directory', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mimosa-lock-proc-'));
    dirs.push(dir);
    const owner = await startBroker({ MIMOSA_DATA_DIR: dir }, 'owner');
    await assert.rejects(startBroker({ MIMOSA_DATA_DIR: dir }, 'second'), (e: Error) => {
      assert.match(e.message, /exited \(1\)/);
      assert.match(e.message, new RegExp(`Mimosa cannot start: the data directory ${dir} is in use by process ${owner.pid}`));
      return true;
    });
    const res = await fetch(`${owner.api}/types`);
    assert.equal(res.status, 200, 'the owner keeps serving');
    await owner.stop();
  });
});
