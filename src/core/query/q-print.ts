/**
 * Prints a Query Language AST (clause 4.9) back to `q` text, names compacted with the given @context: what a
 * distributed operation forwards to a Context Source, and the inverse that the round-trip tests check
 * (`parseQ(printQ(e, tm), tm)` gives `e` back). Nested and/or groups are always parenthesised.
 */
import type { TermMap } from '../context/termmap.js';
import type { QExpr, QPath, QValue } from './q-ast.js';

export function printQ(e: QExpr, tm: TermMap): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return e.items.map((i) => (i.kind === 'and' || i.kind === 'or' ? `(${printQ(i, tm)})` : printQ(i, tm))).join(e.kind === 'and' ? ';' : '|');
    case 'exists':
      return printPath(e.path, tm);
    case 'notExists':
      return `!${printPath(e.path, tm)}`;
    case 'compare':
      return `${printPath(e.path, tm)}${e.op}${printValue(e.value)}`;
    case 'in':
      return `${printPath(e.path, tm)}${e.negated ? '!=' : '=='}${e.values.map(printValue).join(',')}`;
    case 'range':
      return `${printPath(e.path, tm)}${e.negated ? '!=' : '=='}${printValue(e.min)}..${printValue(e.max)}`;
    case 'pattern':
      return `${printPath(e.path, tm)}${e.negated ? '!~=' : '~='}"${e.ignoreCase ? '(?i)' : ''}${e.pattern}"`;
  }
}

function printValue(v: QValue): string {
  switch (v.kind) {
    case 'string':
      return JSON.stringify(v.value);
    case 'number':
    case 'boolean':
      return String(v.value);
    default:
      return v.value;
  }
}

function printPath(p: QPath, tm: TermMap): string {
  const sub = p.sub.map((s) => `.${tm.compact(s)}`).join('');
  const member = p.member ? `.${p.member}` : '';
  const keys = p.keys.length ? `[${p.keys.join('.')}]` : '';
  let out = `${tm.compact(p.attr)}${sub}${member}${keys}`;
  for (let i = p.via.length - 1; i >= 0; i--) {
    const { rel, types } = p.via[i];
    const hint = types.length ? `${types.map((t) => tm.compact(t)).join(',')}:` : '';
    out = `${tm.compact(rel)}{${hint}${out}}`;
  }
  return out;
}
