/**
 * Smart Data Models (src/models, OASC MIM2): the models added through the API, the validation mode of each tenant
 * and model, and what warn mode recorded.
 *
 * `data_models` holds a model as it was given (`doc`: schema, @context, referenced documents), as `json` so that
 * the schema keeps its member order (the model description lists attributes in it). Models read from
 * MIMOSA_MODELS_DIR are not stored: the directory is their source.
 *
 * `model_validation` has a row per tenant and model whose mode is not `off`. Tenants need no row in `tenants`: a
 * mode may be set before the tenant's first write.
 *
 * `model_violations` keeps, per entity and model, the violations of the last write validated in warn mode: a later
 * write that conforms deletes the row, so the table says what is non-conforming now and stays as large as the
 * number of non-conforming entities, however many writes there are.
 */
export const models = `
CREATE TABLE data_models (
  type_iri text COLLATE "C" PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  doc json NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE model_validation (
  tenant text COLLATE "C" NOT NULL,
  type_iri text COLLATE "C" NOT NULL,
  mode text NOT NULL CHECK (mode IN ('warn', 'enforce')),
  PRIMARY KEY (tenant, type_iri)
);

CREATE TABLE model_violations (
  tenant text COLLATE "C" NOT NULL,
  entity_id text COLLATE "C" NOT NULL,
  type_iri text COLLATE "C" NOT NULL,
  violations jsonb NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, entity_id, type_iri)
);
CREATE INDEX model_violations_recent ON model_violations (tenant, recorded_at DESC, entity_id);
`;
