/**
 * Discovery (clauses 5.7.5–5.7.10) computed from the `vocabulary` index (migration 003), not by scanning
 * entities.
 *
 * Writers: each batch adds the distinct (type, attribute, attribute type) rows of its entities in one
 * INSERT … ON CONFLICT DO NOTHING. A row that exists costs a unique-index probe and takes no lock. There is no
 * counter, because a counter would make every writer of a type wait on one row. The rows are computed here
 * from the entities being written (about 1 ms per 1000 entities) and sent as arrays; the statement then runs in
 * about 1 ms. Extracting the rows from the batch's JSON in PostgreSQL instead took 60 ms per 1000 entities, and
 * 230 ms once a large row estimate switched JIT on, against 40–70 ms for the entity insert itself.
 *
 * Readers: rows are never deleted, because a delete or update would have to find out whether it removed the
 * last holder of a name. Instead each row a reader uses is confirmed against `entities`, so stale rows never
 * show:
 * 1. by its `witness`, an entity that had the row's fact when the row was written: a primary-key look-up;
 * 2. when the witness no longer has the fact, by a probe through the GIN indexes on `types` and `attr_names`,
 *    which also finds a new witness to store. Another reader refreshing the same row is skipped, never waited
 *    for.
 * Checking with a GIN `EXISTS` alone builds the bitmap of every entity that has the name, because GIN only
 * serves bitmap scans. That measured 4 s for a details listing over 100k entities, against about 15 ms with
 * witnesses, where a steady listing costs one primary-key look-up per row. Probes are limited to bitmap scans: a
 * plan that stops at the first match would walk the whole table when nothing matches. Rows whose fact no entity
 * holds any more are probed on every read, which is cheap when the type or attribute is gone altogether. It costs
 * a walk over the matching entities only when a type lost an attribute (or an attribute type) that other types still use.
 * Counts (entityCount, attributeCount) are a count(*) for the one type or attribute asked, so they are exact
 * without stored counters.
 */
import type { Entity } from '../core/entity/model.js';
import type { AttributeInfo, AttributeSummary, EntityTypeInfo, EntityTypeSummary, SqlClient, SqlQueryable } from './port.js';

// ------------------------------------------------------------------------------------------------ writing

const RECORD = `
INSERT INTO vocabulary (tenant, entity_type, attr, attr_type, witness)
SELECT $1, u.t, u.a, u.k, u.w FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(t, a, k, w)
ORDER BY u.t, u.a, u.k
ON CONFLICT DO NOTHING`;

/**
 * Records the vocabulary of entities just inserted or updated, inside the writer's transaction. Rows go in key
 * order, so that two transactions that add the same new names wait for each other instead of deadlocking.
 */
export async function recordVocabulary(db: SqlQueryable, tenant: string, entities: readonly Entity[]): Promise<void> {
  // type → attribute ('' for the type's own row) → attribute type → witness. Nested maps keep the names' cached
  // hashes: joined string keys made this loop the larger part of the cost.
  const seen = new Map<string, Map<string, Map<string, string>>>();
  for (const e of entities) {
    for (const t of e.types) {
      let attrs = seen.get(t);
      if (!attrs) seen.set(t, (attrs = new Map([['', new Map([['', e.id]])]])));
      for (const a in e.attrs) {
        let kinds = attrs.get(a);
        if (!kinds) attrs.set(a, (kinds = new Map()));
        for (const i of e.attrs[a]) if (!kinds.has(i.type)) kinds.set(i.type, e.id);
      }
    }
  }
  const columns: string[][] = [[], [], [], []];
  for (const [t, attrs] of seen) {
    for (const [a, kinds] of attrs) {
      for (const [k, witness] of kinds) {
        columns[0].push(t);
        columns[1].push(a);
        columns[2].push(k);
        columns[3].push(witness);
      }
    }
  }
  if (columns[0].length === 0) return;
  await db.query(RECORD, [tenant, ...columns]);
}

// ------------------------------------------------------------------------------------------------ reading

interface Row {
  entity_type: string;
  attr: string;
  attr_type: string;
  witness: string;
  /** Whether the witness still has the row's fact. */
  live: boolean;
}

/** What a reader asks of rows: a type exists, a type has an attribute, an attribute exists, or all three with the attribute type. */
type Level = 'type' | 'pair' | 'attr' | 'triple';

const FACT: Record<Level, (r: Row) => string[]> = {
  type: (r) => [r.entity_type],
  pair: (r) => [r.entity_type, r.attr],
  attr: (r) => [r.attr],
  triple: (r) => [r.entity_type, r.attr, r.attr_type],
};

/** SQL condition on entity `e` for a fact given as columns f.t, f.a, f.k. */
const HOLDS: Record<Level, string> = {
  type: 'e.types @> ARRAY[f.t]',
  pair: 'e.types @> ARRAY[f.t] AND e.attr_names @> ARRAY[f.a]',
  attr: 'e.attr_names @> ARRAY[f.a]',
  triple: "e.types @> ARRAY[f.t] AND e.attr_names @> ARRAY[f.a] AND e.doc->'attrs'->f.a @> jsonb_build_array(jsonb_build_object('type', f.k))",
};

/**
 * The tenant's ($1) rows matching `where`, each with whether its witness still holds. A scalar subquery rather than a join,
 * so that each check stays a primary-key look-up and is never turned into a join over `entities`.
 */
function candidates(tx: SqlQueryable, tenant: string, where: string, params: unknown[] = []): Promise<Row[]> {
  return tx.query<Row>(
    `SELECT v.entity_type, v.attr, v.attr_type, v.witness, COALESCE((
       SELECT true FROM entities AS e WHERE e.tenant = v.tenant AND e.id = v.witness AND e.types @> ARRAY[v.entity_type]
         AND (v.attr = '' OR (e.attr_names @> ARRAY[v.attr]
           AND e.doc->'attrs'->v.attr @> jsonb_build_array(jsonb_build_object('type', v.attr_type))))), false) AS live
     FROM vocabulary AS v WHERE v.tenant = $1 AND ${where}`,
    [tenant, ...params],
  );
}

interface Found {
  id: string;
  types: string[];
  /** The attribute types of the probed attribute's instances on that entity. */
  kinds: string[];
}

/** One entity holding each fact (or none), through the GIN indexes only. */
async function probe(tx: SqlQueryable, tenant: string, level: Level, facts: readonly string[][]): Promise<Map<number, Found>> {
  await tx.query('SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off');
  const column = (i: number) => facts.map((f) => (level === 'attr' ? ['', f[0], ''] : f)[i] ?? '');
  const rows = await tx.query<Found & { n: number }>(
    `SELECT f.n::int AS n, p.id, p.types, p.kinds
     FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS f(t, a, k, n)
     CROSS JOIN LATERAL (
       SELECT e.id, e.types,
         ARRAY(SELECT DISTINCT i->>'type' FROM jsonb_array_elements(COALESCE(e.doc->'attrs'->f.a, '[]')) AS i) AS kinds
       FROM entities AS e WHERE e.tenant = $1 AND ${HOLDS[level]} LIMIT 1) AS p`,
    [tenant, column(0), column(1), column(2)],
  );
  await tx.query('SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT');
  return new Map(rows.map((r) => [Number(r.n) - 1, r]));
}

/** Stores new witnesses; rows another transaction holds are skipped (a witness is only a hint). */
async function refresh(tx: SqlQueryable, tenant: string, rows: ReadonlyArray<Row & { next: string }>): Promise<void> {
  if (rows.length === 0) return;
  const col = (f: (r: Row & { next: string }) => string) => rows.map(f);
  await tx.query(
    `WITH locked AS (
       SELECT v.entity_type, v.attr, v.attr_type, u.w
       FROM vocabulary AS v
       JOIN unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(t, a, k, old, w)
         ON v.entity_type = u.t AND v.attr = u.a AND v.attr_type = u.k AND v.witness = u.old
       WHERE v.tenant = $1
       FOR UPDATE OF v SKIP LOCKED)
     UPDATE vocabulary AS v SET witness = l.w FROM locked AS l
     WHERE v.tenant = $1 AND v.entity_type = l.entity_type AND v.attr = l.attr AND v.attr_type = l.attr_type`,
    [tenant, col((r) => r.entity_type), col((r) => r.attr), col((r) => r.attr_type), col((r) => r.witness), col((r) => r.next)],
  );
}

/**
 * The facts of `rows` at `level` that some entity still holds, in code-point order of their parts. Facts of a type not
 * in `liveTypes`, when given, are dead without a probe: once a type is gone, its pairs would each cost a probe that
 * finds nothing.
 */
async function liveFacts(tx: SqlQueryable, tenant: string, rows: readonly Row[], level: Level, liveTypes?: ReadonlySet<string>): Promise<string[][]> {
  const groups = new Map<string, { fact: string[]; rows: Row[]; live: boolean }>();
  for (const r of rows) {
    const fact = FACT[level](r);
    const key = fact.join('\n');
    const g = groups.get(key) ?? { fact, rows: [], live: false };
    g.rows.push(r);
    g.live ||= r.live;
    groups.set(key, g);
  }
  const stale = [...groups.values()].filter((g) => !g.live && (!liveTypes || liveTypes.has(g.rows[0].entity_type)));
  if (stale.length > 0) {
    const found = await probe(tx, tenant, level, stale.map((g) => g.fact));
    const witnessed: Array<Row & { next: string }> = [];
    stale.forEach((g, n) => {
      const e = found.get(n);
      if (!e) return;
      g.live = true;
      for (const r of g.rows) {
        if (e.types.includes(r.entity_type) && (r.attr === '' || e.kinds.includes(r.attr_type))) witnessed.push({ ...r, next: e.id });
      }
    });
    await refresh(tx, tenant, witnessed);
  }
  return [...groups.values()].filter((g) => g.live).map((g) => g.fact).sort(byParts);
}

function byParts(x: readonly string[], y: readonly string[]): number {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/** Groups [key, value] facts by key, keeping the order of their first appearance. */
function grouped(facts: readonly string[][], key: number, value: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of facts) out.set(f[key], [...(out.get(f[key]) ?? []), f[value]]);
  return out;
}

async function count(tx: SqlQueryable, tenant: string, column: 'types' | 'attr_names', name: string): Promise<number> {
  const [{ n }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM entities WHERE tenant = $1 AND ${column} @> ARRAY[$2]::text[]`, [tenant, name]);
  return Number(n);
}

export function listEntityTypes(db: SqlClient, tenant: string): Promise<string[]> {
  return db.transaction(async (tx) => (await liveFacts(tx, tenant, await candidates(tx, tenant, "v.attr = ''"), 'type')).map((f) => f[0]));
}

/** The live types and the live (type, attribute) pairs of the tenant. */
async function livePairs(tx: SqlQueryable, tenant: string): Promise<{ types: string[]; pairs: string[][] }> {
  const rows = await candidates(tx, tenant, 'true');
  const types = (await liveFacts(tx, tenant, rows.filter((r) => r.attr === ''), 'type')).map((f) => f[0]);
  const pairs = await liveFacts(tx, tenant, rows.filter((r) => r.attr !== ''), 'pair', new Set(types));
  return { types, pairs };
}

export function listEntityTypeDetails(db: SqlClient, tenant: string): Promise<EntityTypeSummary[]> {
  return db.transaction(async (tx) => {
    const { types, pairs } = await livePairs(tx, tenant);
    const attrs = grouped(pairs, 0, 1);
    return types.map((type) => ({ type, attributeNames: attrs.get(type) ?? [] }));
  });
}

export function getEntityTypeInfo(db: SqlClient, tenant: string, type: string): Promise<EntityTypeInfo | undefined> {
  return db.transaction(async (tx) => {
    const entityCount = await count(tx, tenant, 'types', type);
    if (entityCount === 0) return undefined;
    const triples = await liveFacts(tx, tenant, await candidates(tx, tenant, "v.entity_type = $2 AND v.attr <> ''", [type]), 'triple');
    const kinds = grouped(triples, 1, 2);
    return { type, entityCount, attributeDetails: [...kinds].map(([attribute, attributeTypes]) => ({ attribute, attributeTypes })) };
  });
}

export function listAttributes(db: SqlClient, tenant: string): Promise<string[]> {
  return db.transaction(async (tx) => (await liveFacts(tx, tenant, await candidates(tx, tenant, "v.attr <> ''"), 'attr')).map((f) => f[0]));
}

export function listAttributeDetails(db: SqlClient, tenant: string): Promise<AttributeSummary[]> {
  return db.transaction(async (tx) => {
    const { pairs } = await livePairs(tx, tenant);
    const types = grouped([...pairs].sort((x, y) => byParts([x[1], x[0]], [y[1], y[0]])), 1, 0);
    return [...types].map(([attribute, typeNames]) => ({ attribute, typeNames }));
  });
}

export function getAttributeInfo(db: SqlClient, tenant: string, attribute: string): Promise<AttributeInfo | undefined> {
  return db.transaction(async (tx) => {
    const attributeCount = await count(tx, tenant, 'attr_names', attribute);
    if (attributeCount === 0) return undefined;
    const triples = await liveFacts(tx, tenant, await candidates(tx, tenant, 'v.attr = $2', [attribute]), 'triple');
    const attributeTypes = [...new Set(triples.map((f) => f[2]))].sort();
    const typeNames = [...new Set(triples.map((f) => f[0]))];
    return { attribute, attributeCount, attributeTypes, typeNames };
  });
}
