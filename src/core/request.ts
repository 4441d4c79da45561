/**
 * Every operation runs with a request context, so that access policies (MIM6) can be plugged in
 * later without touching handlers.
 */
export interface RequestContext {
  /** The NGSI-LD tenant ('' is the default tenant, used when no NGSILD-Tenant header is sent). */
  readonly tenant: string;
  /** Who asks; 'anonymous' until authentication is configured. */
  readonly principal: string;
  /** The request id used in logs. */
  readonly requestId: string;
}

export const DEFAULT_TENANT = '';
