/**
 * Context source registrations (clauses 5.9, 5.10) and registration subscriptions (clause 5.11).
 *
 * A registration is kept whole as its model (`doc`, names expanded); the columns beside it are what discovery and
 * matching select on, derived on every write (store/registrations/rows.ts): its mode and expanded operations, its
 * scopes (GIN over the scope keys of migration 002, as for entities), its geometries (GiST on location), its time
 * intervals, its expiry, and the members and Properties that `q` and `csf` filter on, laid out as an entity's
 * attributes (`q_doc`, `q_names`, GIN) so that the query-language compiler of entities serves them unchanged.
 *
 * `csource_registration_information` has one row per EntityInfo of each RegistrationInfo (one row with NULL types
 * for an item without entities): its types, id or idPattern, and the attribute names of the item (NULL: every
 * attribute). Discovery asks "is there an item whose entity and attributes match", one EXISTS over these rows,
 * answered by the GIN indexes on types and attributes.
 *
 * Registration subscriptions are rows of `subscriptions` with kind 'csource', so that their notifications ride
 * the same durable outbox (claims, leases, retries, dead letters, throttling, cooldown) with reason 'csource'.
 * Entity changes never match them (store/subscriptions/match.ts selects kind 'entity').
 */
export const registrations = `
CREATE TABLE csource_registrations (
  tenant text COLLATE "C" NOT NULL REFERENCES tenants (name),
  id text COLLATE "C" NOT NULL,
  doc jsonb NOT NULL,
  mode text NOT NULL CHECK (mode IN ('inclusive', 'exclusive', 'redirect', 'auxiliary')),
  operations text[] NOT NULL,
  endpoint text NOT NULL,
  scopes text[],
  location geometry(Geometry, 4326),
  observation_space geometry(Geometry, 4326),
  operation_space geometry(Geometry, 4326),
  observation_start timestamptz,
  observation_end timestamptz,
  management_start timestamptz,
  management_end timestamptz,
  expires_at timestamptz,
  q_doc jsonb NOT NULL,
  q_names text[] NOT NULL,
  times_sent bigint NOT NULL DEFAULT 0,
  times_failed bigint NOT NULL DEFAULT 0,
  last_success timestamptz,
  last_failure timestamptz,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX csource_registrations_location ON csource_registrations USING gist (location);
CREATE INDEX csource_registrations_location_geog ON csource_registrations USING gist ((location::geography));
CREATE INDEX csource_registrations_scope_keys ON csource_registrations USING gin (mimosa_scope_keys(scopes));
CREATE INDEX csource_registrations_q_names ON csource_registrations USING gin (q_names);

CREATE TABLE csource_registration_information (
  tenant text COLLATE "C" NOT NULL,
  registration_id text COLLATE "C" NOT NULL,
  item integer NOT NULL,
  entity integer NOT NULL,
  types text[],
  entity_id text COLLATE "C",
  id_pattern text,
  attrs text[],
  PRIMARY KEY (tenant, registration_id, item, entity),
  FOREIGN KEY (tenant, registration_id) REFERENCES csource_registrations (tenant, id) ON DELETE CASCADE
);
CREATE INDEX csource_registration_information_types ON csource_registration_information USING gin (types);
CREATE INDEX csource_registration_information_attrs ON csource_registration_information USING gin (attrs);
CREATE INDEX csource_registration_information_entity ON csource_registration_information (tenant, entity_id);

ALTER TABLE subscriptions ADD COLUMN kind text NOT NULL DEFAULT 'entity' CHECK (kind IN ('entity', 'csource'));
CREATE INDEX subscriptions_csource ON subscriptions (tenant) WHERE kind = 'csource' AND active;
`;
