/**
 * The Smart Data Models side of the store port (ModelStore in store/port.ts): API-added models, validation modes
 * and the violations warn mode records (schema in migrations/007-models.ts).
 *
 * Every change of a model or a mode NOTIFYs `mimosa_models` in its own transaction, so that every process sharing
 * the database reloads its copy (src/models keeps one in memory: a write must not read modes from the database).
 */
import type {
  ModelStore,
  SqlClient,
  StoredModel,
  ValidationMode,
  ValidationSetting,
  Violation,
  ViolationQuery,
  ViolationRecord,
} from './port.js';

const CHANNEL = 'mimosa_models';
const NOTIFY = `SELECT pg_notify('${CHANNEL}', '')`;

interface ModelRow {
  type_iri: string;
  name: string;
  doc: { schema: unknown; context: unknown[]; documents: Record<string, unknown> };
  created_at: string | Date;
}

interface ViolationRow {
  entity_id: string;
  type_iri: string;
  violations: Violation[];
  recorded_at: string | Date;
}

const iso = (t: string | Date): string => new Date(t).toISOString();

export class SqlModelStore implements ModelStore {
  constructor(private readonly db: SqlClient) {}

  insertModel(m: StoredModel): Promise<boolean> {
    const doc = JSON.stringify({ schema: m.schema, context: m.context, documents: m.documents });
    return this.db.transaction(async (sql) => {
      const rows = await sql.query(
        'INSERT INTO data_models (type_iri, name, doc, created_at) VALUES ($1, $2, $3::json, $4) ON CONFLICT DO NOTHING RETURNING type_iri',
        [m.typeIri, m.name, doc, m.createdAt],
      );
      if (rows.length > 0) await sql.query(NOTIFY);
      return rows.length > 0;
    });
  }

  deleteModel(typeIri: string): Promise<boolean> {
    return this.db.transaction(async (sql) => {
      const rows = await sql.query('DELETE FROM data_models WHERE type_iri = $1 RETURNING type_iri', [typeIri]);
      if (rows.length > 0) await sql.query(NOTIFY);
      return rows.length > 0;
    });
  }

  async listModels(): Promise<StoredModel[]> {
    const rows = await this.db.query<ModelRow>('SELECT type_iri, name, doc, created_at FROM data_models ORDER BY type_iri');
    return rows.map((r) => ({
      typeIri: r.type_iri,
      name: r.name,
      schema: r.doc.schema,
      context: r.doc.context,
      documents: r.doc.documents,
      createdAt: iso(r.created_at),
    }));
  }

  async setValidationMode(tenant: string, typeIri: string, mode: ValidationMode): Promise<void> {
    await this.db.transaction(async (sql) => {
      if (mode === 'off') await sql.query('DELETE FROM model_validation WHERE tenant = $1 AND type_iri = $2', [tenant, typeIri]);
      else {
        await sql.query(
          `INSERT INTO model_validation (tenant, type_iri, mode) VALUES ($1, $2, $3)
           ON CONFLICT (tenant, type_iri) DO UPDATE SET mode = EXCLUDED.mode`,
          [tenant, typeIri, mode],
        );
      }
      await sql.query(NOTIFY);
    });
  }

  async listValidationModes(): Promise<ValidationSetting[]> {
    const rows = await this.db.query<{ tenant: string; type_iri: string; mode: 'warn' | 'enforce' }>(
      'SELECT tenant, type_iri, mode FROM model_validation ORDER BY tenant, type_iri',
    );
    return rows.map((r) => ({ tenant: r.tenant, typeIri: r.type_iri, mode: r.mode }));
  }

  async recordViolations(tenant: string, records: readonly ViolationRecord[]): Promise<void> {
    const found = records.filter((r) => r.violations.length > 0);
    const clean = records.filter((r) => r.violations.length === 0);
    await this.db.transaction(async (sql) => {
      if (clean.length > 0) {
        await sql.query(
          `DELETE FROM model_violations AS v USING unnest($2::text[], $3::text[]) AS c (entity_id, type_iri)
           WHERE v.tenant = $1 AND v.entity_id = c.entity_id AND v.type_iri = c.type_iri`,
          [tenant, clean.map((r) => r.entityId), clean.map((r) => r.typeIri)],
        );
      }
      if (found.length > 0) {
        await sql.query(
          `INSERT INTO model_violations (tenant, entity_id, type_iri, violations, recorded_at)
           SELECT $1, r.entity_id, r.type_iri, r.violations, r.recorded_at
           FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::timestamptz[]) AS r (entity_id, type_iri, violations, recorded_at)
           ON CONFLICT (tenant, entity_id, type_iri) DO UPDATE SET violations = EXCLUDED.violations, recorded_at = EXCLUDED.recorded_at`,
          [
            tenant,
            found.map((r) => r.entityId),
            found.map((r) => r.typeIri),
            found.map((r) => JSON.stringify(r.violations)),
            found.map((r) => r.recordedAt),
          ],
        );
      }
    });
  }

  async listViolations(tenant: string, q: ViolationQuery): Promise<{ items: ViolationRecord[]; count?: number }> {
    const params: unknown[] = [tenant];
    let where = 'v.tenant = $1 AND EXISTS (SELECT 1 FROM entities AS e WHERE e.tenant = v.tenant AND e.id = v.entity_id)';
    if (q.typeIri !== undefined) where += ` AND v.type_iri = $${params.push(q.typeIri)}`;
    if (q.entityId !== undefined) where += ` AND v.entity_id = $${params.push(q.entityId)}`;
    const page = `SELECT v.entity_id, v.type_iri, v.violations, v.recorded_at FROM model_violations AS v WHERE ${where}
      ORDER BY v.recorded_at DESC, v.entity_id, v.type_iri LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
    const rows = q.limit > 0 ? await this.db.query<ViolationRow>(page, [...params, q.limit, q.offset]) : [];
    const items = rows.map((r) => ({ entityId: r.entity_id, typeIri: r.type_iri, violations: r.violations, recordedAt: iso(r.recorded_at) }));
    if (!q.count) return { items };
    const [{ n }] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM model_violations AS v WHERE ${where}`, params);
    return { items, count: Number(n) };
  }

  watchModels(onChange: () => void): Promise<() => Promise<void>> {
    return this.db.listen(CHANNEL, onChange);
  }
}
