/**
 * The first schema. Entities are kept whole as the normalized, expanded `Entity` document (`doc`); the columns
 * beside it are derived from it on every write so that selections run on indexes: types and attribute names
 * (GIN), the default `location` GeoProperty (GiST, as geometry for within/intersects… and as geography for
 * near in metres on the sphere). Tenants share the tables and are told apart by the `tenant` column, which
 * leads every key, so that one database holds any number of them (and Citus can distribute on it). Keys sort
 * by code point (COLLATE "C") whatever the database's locale, so pages come in the same order on every engine
 * and the primary key index serves ORDER BY id.
 */
export const initial = `
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE tenants (
  name text COLLATE "C" PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE entities (
  tenant text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  types text[] NOT NULL,
  scopes text[],
  attr_names text[] NOT NULL,
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  location geometry(Geometry, 4326),
  doc jsonb NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX entities_types ON entities USING gin (types);
CREATE INDEX entities_attr_names ON entities USING gin (attr_names);
CREATE INDEX entities_location ON entities USING gist (location);
CREATE INDEX entities_location_geog ON entities USING gist ((location::geography));

-- The geometry of the default instance (no datasetId) of a GeoProperty, given the attribute's instances; altitude is
-- dropped (geo-queries of clause 4.10 are two-dimensional).
CREATE FUNCTION mimosa_geometry(instances jsonb) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(i->'value')), 4326)
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(instances) = 'array' THEN instances ELSE '[]'::jsonb END) AS i
  WHERE i->>'type' = 'GeoProperty' AND NOT i ? 'datasetId' AND jsonb_typeof(i->'value') = 'object'
  LIMIT 1
$$;

-- A JSON array of strings as text[] (NULL for anything else).
CREATE FUNCTION mimosa_text_array(a jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(a) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(a)) END
$$;

CREATE TABLE contexts (
  id text PRIMARY KEY,
  url text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('Hosted', 'Cached', 'ImplicitlyCreated')),
  body json NOT NULL,
  created_at text NOT NULL,
  last_usage text,
  hits integer NOT NULL DEFAULT 0
);
`;
