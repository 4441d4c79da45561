/** What a payload codec reads: groups of measures, each group one observation of the device. */

/** One measure as the device named it (its object_id) with its value as sent (a string in Ultralight). */
export interface Measure {
  key: string;
  value: unknown;
}

export interface Observation {
  measures: Measure[];
  /** The device's own timestamp of the group (ISO 8601 with a zone), when it gave one. */
  observedAt?: string;
}

/** The measure name FIWARE devices use for their own timestamp (JSON `TimeInstant`): never an attribute. */
export const TIMESTAMP_KEY = 'TimeInstant';
