import type { TypeExpr } from '../../core/query/type-expr.js';
import type { SqlParams } from '../sql-params.js';

/**
 * Entity Type Selection Language (clause 4.17) as a condition on the `types` column. An OR of plain types is one
 * array overlap and an AND of plain types one containment, both answered by the GIN index on `types`.
 */
export function typeSql(e: TypeExpr, p: SqlParams, row: string): string {
  const plain = (items: TypeExpr[]) => items.every((i) => i.kind === 'type');
  const iris = (items: TypeExpr[]) => items.map((i) => (i as { iri: string }).iri);
  switch (e.kind) {
    case 'type':
      return `${row}.types @> ARRAY[${p.add(e.iri)}]::text[]`;
    case 'or':
      if (plain(e.items)) return `${row}.types && ${p.add(iris(e.items))}::text[]`;
      return `(${e.items.map((i) => typeSql(i, p, row)).join(' OR ')})`;
    case 'and':
      if (plain(e.items)) return `${row}.types @> ${p.add(iris(e.items))}::text[]`;
      return `(${e.items.map((i) => typeSql(i, p, row)).join(' AND ')})`;
  }
}
