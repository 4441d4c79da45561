import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';

/** A process that runs until killed, and how to end it. */
function sleeper() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid as number, end: async () => (child.kill('SIGKILL'), gone) };
}

describe('PGlite data directory lock', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mimosa-lock-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lockDataDir should write this pid and release should remove the lock when the directory is free', async () => {
    const release = await lockDataDir(dir);
    assert.equal(await readFile(join(dir, 'mimosa.lock'), 'utf8'), `${process.pid}\n`);
    await release();
    await assert.rejects(readFile(join(dir, 'mimosa.lock')), { code: 'ENOENT' });
  });

  it('lockDataDir should refuse, naming the owner, when a running process holds the directory', async () => {
    const other = sleeper();
    try {
      await writeFile(join(dir, 'mimosa.lock'), `${other.pid}\n`);
      await assert.rejects(lockDataDir(dir), (e: Error) => e instanceof DataDirInUseError && e.message.includes(`in use by process ${other.pid}`));
      assert.equal(await readFile(join(dir, 'mimosa.lock'), 'utf8'), `${other.pid}\n`, 'the owner keeps its lock');
    } finally {
      await other.end();
      await rm(join(dir, 'mimosa.lock'), { force: true });
    }
  });

  it('lockDataDir should take the lock over when its process is gone or the file holds no pid', async () => {
    const dead = sleeper();
    await dead.end();
    for (const content of [`${dead.pid}\n`, 'garbage']) {
      await writeFile(join(dir, 'mimosa.lock'), content);
      const release = await lockDataDir(dir);
      assert.equal(await readFile(join(dir, 'mimosa.lock'), 'utf8'), `${process.pid}\n`);
      await release();
    }
  });

  it('release should leave a lock another process has taken over since', async () => {
    const release = await lockDataDir(dir);
    await writeFile(join(dir, 'mimosa.lock'), '999999999\n');
    await release();
    assert.equal(await readFile(join(dir, 'mimosa.lock'), 'utf8'), '999999999\n');
    await rm(join(dir, 'mimosa.lock'));
  });
});
