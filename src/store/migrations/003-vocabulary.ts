/**
 * The vocabulary index behind discovery (clauses 5.7.5–5.7.10): which entity types, attribute names and
 * attribute types (Property, Relationship…) have been written, per tenant. One row per distinct
 * (tenant, entity type, attribute, attribute type), plus one row per type with attr = '' and attr_type = ''
 * saying that the type itself was seen. `witness` is the id of an entity that had the row's fact when it was
 * written. Writers only insert (ON CONFLICT DO NOTHING) and keep no counts; readers confirm every row against
 * `entities` (store/vocabulary.ts explains the design).
 *
 * Existing entities are indexed once here. This text is frozen with the migration: it does not share the
 * write statement of store/vocabulary.ts, which may evolve.
 */
export const vocabulary = `
CREATE TABLE vocabulary (
  tenant text NOT NULL,
  entity_type text NOT NULL,
  attr text NOT NULL,
  attr_type text NOT NULL,
  witness text NOT NULL,
  PRIMARY KEY (tenant, entity_type, attr, attr_type)
);
-- Attribute look-ups (clauses 5.7.8–5.7.10); type look-ups use the primary key.
CREATE INDEX vocabulary_attr ON vocabulary (tenant, attr, entity_type);

INSERT INTO vocabulary (tenant, entity_type, attr, attr_type, witness)
SELECT e.tenant, t.entity_type, a.attr, a.attr_type, min(e.id)
FROM entities AS e
CROSS JOIN LATERAL unnest(e.types) AS t(entity_type)
CROSS JOIN LATERAL (
  SELECT '' AS attr, '' AS attr_type
  UNION ALL
  SELECT x.key, i->>'type'
  FROM jsonb_each(e.doc->'attrs') AS x, jsonb_array_elements(x.value) AS i
  WHERE i->>'type' IS NOT NULL
) AS a
GROUP BY 1, 2, 3, 4;
`;
