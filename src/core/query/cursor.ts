/**
 * The scanner and the boolean-expression skeleton shared by the NGSI-LD query grammars: the Query Language
 * (clause 4.9), the Entity Type Selection Language (clause 4.17) and the Scope Query Language (clause 4.19).
 * All three combine atoms with `;` (and), `|` (or) and parentheses, and AND binds tighter than OR (clause 4.9).
 *
 * Inside a parser a syntax error unwinds with a private exception, which `runParser` turns into a
 * BadRequestData value: recursive descent stays readable, and no exception ever leaves the module.
 */
import { fail, ok, type Result } from '../problem.js';

/** Default bounds; a query string in a URL is rarely above a few hundred characters. */
const DEFAULT_MAX_LENGTH = 8192;
const DEFAULT_MAX_DEPTH = 32;

class SyntaxFailure extends Error {}

export class Cursor {
  pos = 0;
  private depth = 0;

  constructor(
    readonly text: string,
    readonly label: string,
    private readonly maxDepth: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  /** Consumes the longest match of a sticky regex at the cursor; '' when none. */
  match(re: RegExp): string {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }

  /** Spaces around tokens are tolerated (clients write `color!= "black", "red"`, clause 4.9). */
  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  /** What is at `at`, for error details: the code point in quotes (escaped if invisible) or "end of input". */
  found(at = this.pos): string {
    if (at >= this.text.length) return 'end of input';
    const ch = String.fromCodePoint(this.text.codePointAt(at)!);
    return `'${JSON.stringify(ch).slice(1, -1)}'`;
  }

  fail(detail: string, at = this.pos): never {
    throw new SyntaxFailure(`Invalid ${this.label}: ${detail} at position ${at + 1}`);
  }

  expect(s: string, what: string): void {
    if (!this.eat(s)) this.fail(`expected ${what} but found ${this.found()}`);
  }

  /** Bounds recursion (parentheses, linked-entity braces) so that hostile input cannot exhaust the stack. */
  enter(): void {
    if (++this.depth > this.maxDepth) this.fail(`nesting is deeper than ${this.maxDepth} levels`);
  }

  leave(): void {
    this.depth--;
  }
}

export interface Bounds {
  maxLength?: number;
  maxDepth?: number;
}

/** Runs `parse` over the whole of `text`: bounds, emptiness and trailing input are checked here. */
export function runParser<T>(label: string, text: unknown, bounds: Bounds, parse: (c: Cursor) => T, expected: string): Result<T> {
  const maxLength = bounds.maxLength ?? DEFAULT_MAX_LENGTH;
  if (typeof text !== 'string') return fail('BadRequestData', `Invalid ${label}: it is not a string`);
  if (text.length > maxLength) return fail('BadRequestData', `Invalid ${label}: it is longer than ${maxLength} characters`);
  if (text.trim() === '') return fail('BadRequestData', `Invalid ${label}: it is empty`);
  const c = new Cursor(text, label, bounds.maxDepth ?? DEFAULT_MAX_DEPTH);
  try {
    const value = parse(c);
    c.skipWs();
    if (!c.done) {
      if (c.peek() === ')') c.fail('unbalanced \')\'');
      c.fail(`unexpected ${c.found()}; expected ${expected}`);
    }
    return ok(value);
  } catch (e) {
    if (e instanceof SyntaxFailure) return fail('BadRequestData', e.message);
    throw e;
  }
}

interface LogicBuilders<T> {
  atom(c: Cursor): T;
  and(items: T[]): T;
  or(items: T[]): T;
  /** Clauses 4.17 and 4.19 also accept `,` for or. */
  commaIsOr: boolean;
}

/**
 * `Or = And *(orOp And)`, `And = Unary *(andOp Unary)`, `Unary = "(" Or ")" / atom`.
 * Chains are flat (`a;b;c` is one and of three); a parenthesised group stays one item, so printing a tree
 * with every nested and/or in parentheses parses back to the same tree.
 */
export function parseLogic<T>(c: Cursor, b: LogicBuilders<T>): T {
  const unary = (): T => {
    c.skipWs();
    const open = c.pos;
    if (c.peek() !== '(') return b.atom(c);
    c.enter();
    c.pos++;
    const inner = or();
    c.skipWs();
    if (!c.eat(')')) c.fail(`expected ')' to close the '(' at position ${open + 1} but found ${c.found()}`);
    c.leave();
    return inner;
  };
  const and = (): T => {
    const items = [unary()];
    for (c.skipWs(); c.eat(';'); c.skipWs()) items.push(unary());
    return items.length === 1 ? items[0] : b.and(items);
  };
  const or = (): T => {
    const items = [and()];
    for (c.skipWs(); c.eat('|') || (b.commaIsOr && c.eat(',')); c.skipWs()) items.push(and());
    return items.length === 1 ? items[0] : b.or(items);
  };
  return or();
}
