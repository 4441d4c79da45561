/**
 * What geo-queries (clause 4.10) and scope queries (clause 4.19) need beyond migration 001.
 *
 * Scopes. A scope query asks for a scope exactly (`/a/b`), for a scope and everything below it (`/a/#`), or for
 * any scope at all (`/#`); none of these is a plain comparison with the stored `scopes`, whose leading `/` is
 * moreover optional (clause 4.18). So each scope is indexed under keys that turn every such question into one
 * array lookup (store/query/scope-sql.ts): the scope itself with a leading `/` (`/a/b`), and each of its
 * ancestors-or-self followed by `/#` (`/#`, `/a/#`, `/a/b/#`).
 *
 * Geometries. A self-intersecting polygon or a zero-length line passes GeoJSON validation, but the topological
 * relations of GEOS 3.11 (PostGIS 3.3) throw on such input or answer both "within" and "disjoint". The
 * geometry queries run on is therefore made valid once, on write: ST_MakeValid keeps a valid geometry as it is
 * and splits an invalid one without losing a vertex. The entity document keeps what the client sent.
 */
export const queryIndexes = `
-- PL/pgSQL, measured: as an SQL function (subqueries, so never inlined) this index expression cost PGlite 0.7 to
-- 2.6 ms per inserted row, against 0.1 to 0.2 ms here; STRICT skips it for the many entities without a scope.
CREATE FUNCTION mimosa_scope_keys(scopes text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  keys text[] := '{}';
  scope text;
  level text;
  path text;
BEGIN
  FOREACH scope IN ARRAY scopes LOOP
    CONTINUE WHEN scope IS NULL;
    keys := keys || '/#'::text;
    path := '';
    FOREACH level IN ARRAY string_to_array(ltrim(scope, '/'), '/') LOOP
      path := path || '/' || level;
      keys := keys || (path || '/#');
    END LOOP;
    keys := keys || path;
  END LOOP;
  RETURN ARRAY(SELECT DISTINCT k FROM unnest(keys) AS k);
END
$$;

CREATE INDEX entities_scope_keys ON entities USING gin (mimosa_scope_keys(scopes));

CREATE OR REPLACE FUNCTION mimosa_geometry(instances jsonb) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_MakeValid(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(i->'value')), 4326))
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(instances) = 'array' THEN instances ELSE '[]'::jsonb END) AS i
  WHERE i->>'type' = 'GeoProperty' AND NOT i ? 'datasetId' AND jsonb_typeof(i->'value') = 'object'
  LIMIT 1
$$;

UPDATE entities SET location = ST_MakeValid(location) WHERE NOT ST_IsValid(location);
`;
