/**
 * The IoT agent's provisioning model: config groups ("services") and devices as the FIWARE IoT Agent provisioning
 * API describes them (iotagent-node-lib, "Config group datamodel" and "Device datamodel"), with the field names
 * FIWARE scripts send. A group or device is stored as the document parsed here (src/iot/provision/parse.ts); the
 * service and service path come from the request headers and are added when it is answered.
 */

/** An active attribute, lazy attribute or command mapping. */
export interface AttributeMapping {
  /** The measure's name as the device sends it; the attribute `name` when absent. */
  object_id?: string;
  /** The NGSI-LD attribute name (a term of the core context, or an IRI). */
  name: string;
  /** FIWARE attribute type (Number, Integer, Boolean, Text, DateTime, geo:json, Relationship…), or `command`. */
  type: string;
  /** Static metadata; `unitCode` becomes the attribute's unitCode. */
  metadata?: Record<string, unknown>;
}

/** An attribute written as given, not by the device. */
export interface StaticAttribute {
  name: string;
  type: string;
  value: unknown;
  metadata?: Record<string, unknown>;
}

/** What groups and devices have in common. */
interface Provisioned {
  entity_type?: string;
  attributes?: AttributeMapping[];
  lazy?: AttributeMapping[];
  commands?: AttributeMapping[];
  static_attributes?: StaticAttribute[];
  internal_attributes?: unknown;
  /** true: measures that no mapping names are dropped. */
  explicitAttrs?: boolean;
  /** Kept for compatibility: Mimosa always stamps observedAt. */
  timestamp?: boolean;
  /** MQTT or HTTP: commands are published over MQTT unless the transport is HTTP. */
  transport?: string;
  /** IoTA-UL, IoTA-JSON…: the payload format of commands (Ultralight unless it names JSON). */
  protocol?: string;
  /** Stored, not used (FIWARE's HTTP push commands). */
  endpoint?: string;
  ngsiVersion?: string;
}

/** A config group: the template of the devices that send measures with its API key. */
export interface IotGroup extends Provisioned {
  apikey: string;
  resource: string;
  /** false: measures of devices not provisioned are rejected (else MIMOSA_IOT_AUTOPROVISION decides). */
  autoprovision?: boolean;
  /** Accepted and ignored: Mimosa is the context broker. */
  cbroker?: string;
  cbHost?: string;
  trust?: string;
  description?: string;
}

export interface IotDevice extends Provisioned {
  device_id: string;
  /** The entity id (a URI); `urn:ngsi-ld:<entity_type>:<device_id>` when absent, as FIWARE's NGSI-LD agents do. */
  entity_name?: string;
  /** The device's own API key, else its group's. */
  apikey?: string;
  timezone?: string;
  polling?: boolean;
}

/** FIWARE's default entity type when neither the device nor its group names one. */
export const DEFAULT_ENTITY_TYPE = 'Thing';

/** The entity a device's measures update. */
export function entityIdOf(device: IotDevice, group?: IotGroup): string {
  return device.entity_name ?? `urn:ngsi-ld:${entityTypeOf(device, group)}:${device.device_id}`;
}

export function entityTypeOf(device: IotDevice, group?: IotGroup): string {
  return device.entity_type ?? group?.entity_type ?? DEFAULT_ENTITY_TYPE;
}

/**
 * A device with what its group adds (attributes, commands and static attributes the device does not define
 * itself, by name; explicitAttrs, transport, protocol when the device leaves them unset): what measures and
 * commands are mapped with.
 */
export interface EffectiveDevice {
  tenant: string;
  servicePath: string;
  deviceId: string;
  apikey: string;
  entityId: string;
  entityType: string;
  attributes: AttributeMapping[];
  commands: AttributeMapping[];
  staticAttributes: StaticAttribute[];
  explicitAttrs: boolean;
  transport?: string;
  protocol?: string;
}

function byName<T extends { name: string }>(own: readonly T[] | undefined, inherited: readonly T[] | undefined): T[] {
  const out = [...(own ?? [])];
  for (const x of inherited ?? []) if (!out.some((o) => o.name === x.name)) out.push(x);
  return out;
}

export function effectiveDevice(tenant: string, servicePath: string, apikey: string, device: IotDevice, group?: IotGroup): EffectiveDevice {
  return {
    tenant,
    servicePath,
    deviceId: device.device_id,
    apikey,
    entityId: entityIdOf(device, group),
    entityType: entityTypeOf(device, group),
    attributes: byName(device.attributes, group?.attributes),
    commands: byName(device.commands, group?.commands),
    staticAttributes: byName(device.static_attributes, group?.static_attributes),
    explicitAttrs: device.explicitAttrs ?? group?.explicitAttrs ?? false,
    transport: device.transport ?? group?.transport,
    protocol: device.protocol ?? group?.protocol,
  };
}

/** The mapping a measure named `key` (object_id, else name) is written with. */
export function mappingOf(d: EffectiveDevice, key: string): AttributeMapping | undefined {
  return d.attributes.find((a) => (a.object_id ?? a.name) === key) ?? d.attributes.find((a) => a.name === key);
}

/** Whether commands to this device are Ultralight (the default) or JSON. */
export function speaksJson(d: EffectiveDevice): boolean {
  return /json/i.test(d.protocol ?? '');
}
