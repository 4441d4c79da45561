/**
 * The IoT agent's provisioning (src/iot: the FIWARE IoT Agent provisioning API).
 *
 * A config group ("service") and a device are kept whole as their provisioning document (`doc`); the columns
 * beside it are what the agent selects on. Measures arrive with an API key and a device id only, whatever the
 * tenant: `(resource, apikey)` identifies a group everywhere (FIWARE's rule), and `(apikey, device_id)` a device,
 * so that the southbound look-up is one index probe. `commands` are the command names, read by the hook that
 * turns an NGSI-LD update of a command attribute into a command for the device. Tenants need no row here: a
 * tenant is created by the first entity write, as through the NGSI-LD API.
 */
export const iot = `
CREATE TABLE iot_services (
  tenant text COLLATE "C" NOT NULL,
  service_path text COLLATE "C" NOT NULL,
  resource text COLLATE "C" NOT NULL,
  apikey text COLLATE "C" NOT NULL,
  commands text[] NOT NULL DEFAULT '{}',
  doc jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (resource, apikey)
);
CREATE INDEX iot_services_tenant ON iot_services (tenant, service_path);
CREATE INDEX iot_services_apikey ON iot_services (apikey);

CREATE TABLE iot_devices (
  tenant text COLLATE "C" NOT NULL,
  device_id text COLLATE "C" NOT NULL,
  service_path text COLLATE "C" NOT NULL,
  apikey text COLLATE "C",
  entity_id text COLLATE "C" NOT NULL,
  commands text[] NOT NULL DEFAULT '{}',
  doc jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant, device_id)
);
CREATE UNIQUE INDEX iot_devices_southbound ON iot_devices (apikey, device_id);
CREATE INDEX iot_devices_entity ON iot_devices (tenant, entity_id);
`;
