import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('process.env should be read only in src/main.ts (STYLE habit 6)', () => {
  const readers = sources(join(root, 'src'))
    .filter((f) => /^(?!\s*(\*|\/\/)).*process\.env/m.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f));
  assert.deepEqual(readers, ['src/main.ts']);
});

test('every route handler should name the spec clause it implements', () => {
  for (const f of sources(join(root, 'src/api'))) {
    const text = readFileSync(f, 'utf8');
    const routes = [...text.matchAll(/^\s*app\.(get|post|put|patch|delete)\b/gm)].length;
    // Mimosa's own extensions cite the OASC MIM they implement instead (Smart Data Models: MIM2).
    const cited = [...text.matchAll(/\/\/ Implements (\d+(\.\d+)+|OASC MIM\d)|\/\*\* Liveness/gm)].length;
    assert.equal(cited, routes, `${relative(root, f)}: ${routes} routes, ${cited} clause citations`);
  }
});
