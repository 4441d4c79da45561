/**
 * One process per PGlite data directory. PGlite has no postmaster to arbitrate: two processes opening the same
 * directory both write its files and corrupt the database. A lock file (`mimosa.lock`, holding the owner's pid) is
 * created exclusively; a lock whose process no longer runs (killed with -9, the machine restarted) is taken over.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_FILE = 'mimosa.lock';

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `the data directory ${dir} is in use by process ${pid}: stop it, or give this process another MIMOSA_DATA_DIR ` +
        '(several processes share one database through PostgreSQL: MIMOSA_DATABASE_URL)',
    );
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks `dir` for this process; resolves with the release, rejects with DataDirInUseError when a live process holds it. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && running(owner)) throw new DataDirInUseError(dir, owner);
    // stale: its process is gone (or the file is unreadable); take it over once
    await unlink(file).catch(() => undefined);
  }
  return async () => {
    const owner = await readFile(file, 'utf8').catch(() => '');
    if (Number.parseInt(owner, 10) === process.pid) await unlink(file).catch(() => undefined);
  };
}
