/**
 * The operations a Context Source Registration may name (ETSI GS CIM 009 V1.8.1 clause 5.2.9 `operations`, clause
 * 4.20, tables 4.20-1 and 4.20-2): single API operations, and operation groups that stand for several. A
 * registration without `operations` supports `federationOps` (clause 5.2.9).
 *
 * Groups are kept as the client wrote them (they render back so) and expanded into single operations for
 * matching: `supports(reg, 'queryEntity')` asks the expanded set.
 */

/** Table 4.20-1: the writes of one entity (clauses 5.6.1–5.6.6), which redirectionOps shares. */
const entityWriteOps = ['createEntity', 'updateEntity', 'appendAttrs', 'updateAttrs', 'deleteAttrs', 'deleteEntity'] as const;

/** Table 4.20-1, Context Information Provision: the writes (clauses 5.6.x). */
export const provisionOperations = [
  ...entityWriteOps,
  'createBatch',
  'upsertBatch',
  'updateBatch',
  'deleteBatch',
  'upsertTemporal',
  'appendAttrsTemporal',
  'deleteAttrsTemporal',
  'updateAttrInstanceTemporal',
  'deleteAttrInstanceTemporal',
  'deleteTemporal',
  'mergeEntity',
  'replaceEntity',
  'replaceAttrs',
  'mergeBatch',
] as const;

/** Table 4.20-1: the discovery reads (clauses 5.7.5–5.7.10), which several groups share. */
const typeAndAttributeOps = [
  'retrieveEntityTypes',
  'retrieveEntityTypeDetails',
  'retrieveEntityTypeInfo',
  'retrieveAttrTypes',
  'retrieveAttrTypeDetails',
  'retrieveAttrTypeInfo',
] as const;

/** Table 4.20-1, Context Information Consumption (clauses 5.7.x). */
export const consumptionOperations = ['retrieveEntity', 'queryEntity', 'queryBatch', 'retrieveTemporal', 'queryTemporal', ...typeAndAttributeOps] as const;

/** Table 4.20-1, Context Information Subscription (clauses 5.8.x). */
export const subscriptionOperations = [
  'createSubscription',
  'updateSubscription',
  'retrieveSubscription',
  'querySubscription',
  'deleteSubscription',
] as const;

/** Table 4.20-1 (V1.8.1 additions), EntityMap operations (clause 5.14). */
export const entityMapOperations = ['queryEntityMap', 'createEntityMap', 'updateEntityMap', 'deleteEntityMap', 'retrieveEntityMap'] as const;

export const operations = [...provisionOperations, ...consumptionOperations, ...subscriptionOperations, ...entityMapOperations] as const;
export type Operation = (typeof operations)[number];

/** Table 4.20-2: the operation groups and what each stands for. */
export const operationGroups = {
  federationOps: ['retrieveEntity', 'queryEntity', 'queryBatch', ...typeAndAttributeOps, ...subscriptionOperations],
  updateOps: ['updateEntity', 'updateAttrs', 'replaceEntity', 'replaceAttrs'],
  retrieveOps: ['retrieveEntity', 'queryEntity'],
  redirectionOps: [
    ...entityWriteOps,
    'mergeEntity',
    'replaceEntity',
    'replaceAttrs',
    'retrieveEntity',
    'queryEntity',
    ...typeAndAttributeOps,
  ],
} as const satisfies Record<string, readonly Operation[]>;

export type OperationGroup = keyof typeof operationGroups;

/** Clause 5.2.9: "If undefined, the default set of operations is federationOps". */
export const DEFAULT_OPERATIONS: readonly OperationGroup[] = ['federationOps'];

export const isOperation = (x: unknown): x is Operation => (operations as readonly unknown[]).includes(x);
export const isOperationGroup = (x: unknown): x is OperationGroup => typeof x === 'string' && Object.hasOwn(operationGroups, x);

/** The single operations a list of operations and groups stands for, in table order, without repetition. */
export function expandOperations(names: readonly (Operation | OperationGroup)[]): Operation[] {
  const out = new Set<Operation>();
  for (const n of names) for (const op of isOperationGroup(n) ? operationGroups[n] : [n]) out.add(op);
  return operations.filter((op) => out.has(op));
}

/** Whether `op` writes context information (table 4.20-1, provision): never sent to an auxiliary source. */
export const isProvision = (op: Operation): boolean => (provisionOperations as readonly string[]).includes(op);
