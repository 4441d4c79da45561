/**
 * The NGSI-LD Query Language (clause 4.9) decided in memory for the terms whose answer is plain arithmetic, with
 * the semantics of the SQL compiler (store/query/q-sql.ts): numeric comparisons, value lists and ranges, and
 * existence, on a top-level attribute whose every instance is a Property with a number (or an array of numbers)
 * as value. Anything else is `undefined`: only SQL can tell. Subscription matching asks this first, so that the
 * usual `q=temperature>30` costs microseconds instead of a statement per write (bench notify-q); the property
 * test in q-eval.test.ts checks every decided answer against SQL.
 */
import type { Attribute, Entity } from '../entity/model.js';
import type { CompareOp, QExpr, QPath, QValue } from './q-ast.js';

type Tri = boolean | undefined;

const plain = (p: QPath) => p.via.length === 0 && p.sub.length === 0 && p.keys.length === 0 && p.member === undefined;

/** The numbers of an instance's value, or undefined when it holds anything else. */
function numbers(a: Attribute): number[] | undefined {
  if (a.type !== 'Property') return undefined;
  const v = a.value;
  if (typeof v === 'number') return Number.isFinite(v) ? [v] : undefined;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return v as number[];
  return undefined;
}

/** Every instance's numbers; [] when the attribute is absent; undefined when an instance is not numeric. */
function instances(e: Entity, attr: string): number[][] | undefined {
  const list = e.attrs[attr];
  if (list === undefined) return [];
  const out: number[][] = [];
  for (const a of list) {
    const n = numbers(a);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

const ORDER: Record<Exclude<CompareOp, '!='>, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

const num = (v: QValue): number | undefined => (v.kind === 'number' ? v.value : undefined);

/**
 * A term holds when some instance satisfies it; an instance satisfies a positive form when one of its numbers
 * does, a negated one when none does (q-sql.ts targetCondition). An absent attribute satisfies nothing.
 */
function term(e: Entity, path: QPath, negated: boolean, match: (x: number) => boolean): Tri {
  const all = instances(e, path.attr);
  if (all === undefined) return undefined;
  return all.some((xs) => (negated ? !xs.some(match) : xs.some(match)));
}

export function evalQ(q: QExpr, e: Entity): Tri {
  switch (q.kind) {
    case 'and': {
      let out: Tri = true;
      for (const i of q.items) {
        const r = evalQ(i, e);
        if (r === false) return false;
        if (r === undefined) out = undefined;
      }
      return out;
    }
    case 'or': {
      let out: Tri = false;
      for (const i of q.items) {
        const r = evalQ(i, e);
        if (r === true) return true;
        if (r === undefined) out = undefined;
      }
      return out;
    }
    case 'exists':
    case 'notExists': {
      if (!plain(q.path)) return undefined;
      const present = (e.attrs[q.path.attr]?.length ?? 0) > 0;
      return q.kind === 'exists' ? present : !present;
    }
    case 'compare': {
      const v = num(q.value);
      if (!plain(q.path) || v === undefined) return undefined;
      const op = q.op;
      return op === '!=' ? term(e, q.path, true, (x) => x === v) : term(e, q.path, false, (x) => ORDER[op](x, v));
    }
    case 'in': {
      const vs = q.values.map(num);
      if (!plain(q.path) || vs.some((v) => v === undefined)) return undefined;
      return term(e, q.path, q.negated, (x) => vs.includes(x));
    }
    case 'range': {
      const [lo, hi] = [num(q.min), num(q.max)];
      if (!plain(q.path) || lo === undefined || hi === undefined) return undefined;
      return term(e, q.path, q.negated, (x) => x >= lo && x <= hi);
    }
    case 'pattern':
      return undefined;
  }
}
