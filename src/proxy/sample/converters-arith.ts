// HAProxy 2.6's integer converters: add, sub, mul, div, mod, neg (capped at the 64-bit
// bounds the way sample.c caps them, its compiled overflow checks included: two negative
// operands of `add` give INT64_MAX), and, or, xor, cpl, and bool, not, odd, even. An
// operand is an integer or a variable name, read as an integer when the rule runs. Pure.

import { variableNameError } from '../../config/haproxy/keywords/sample-signatures.js';
import { readInt64 } from '../../config/haproxy/sample-args.js';
import type { ConvEnv, ConverterImpl } from './converter-types.js';
import type { Sample } from './sample.js';
import { bool, cast, INT64_MAX, INT64_MIN, sint } from './sample.js';

const wrap = (n: bigint) => BigInt.asIntN(64, n);

/**
 * arith_add() as compiled: with operands of one sign, HAProxy tests MIN - a > b (a < 0)
 * then MAX - a < b in wrapping arithmetic, so that second test is also true for most
 * negative pairs.
 */
export function arithAdd(a: bigint, b: bigint): bigint {
  if ((a ^ b) >= 0n) {
    if (a < 0n && INT64_MIN - a > b) return INT64_MIN;
    if (wrap(INT64_MAX - a) < b) return INT64_MAX;
  }
  return wrap(a + b);
}

export function arithSub(a: bigint, b: bigint): bigint {
  if (b === INT64_MIN) {
    const r = arithAdd(a, INT64_MAX);
    return r < INT64_MAX ? r + 1n : r;
  }
  return arithAdd(a, -b);
}

export function arithMul(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  if (a === INT64_MIN && b === -1n) return INT64_MAX;
  const c = a * b;
  if (c > INT64_MAX || c < INT64_MIN) return a < 0n === b < 0n ? INT64_MAX : INT64_MIN;
  return c;
}

export function arithDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return INT64_MAX;
  if (a === INT64_MIN && b === -1n) return INT64_MAX;
  return a / b; // BigInt division truncates toward zero, as C's
}

export function arithMod(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  if (a === INT64_MIN && b === -1n) return 0n;
  return a % b;
}

/** The operand: a constant, or a variable read as an integer (undefined: the converter fails). */
function operand(arg: string): (env: ConvEnv) => bigint | undefined {
  if (variableNameError(arg) === undefined)
    return (env) => {
      const v = env.vars?.get(arg);
      const n = v && cast(v, 'sint');
      return n && n.type === 'sint' ? n.n : undefined;
    };
  const n = readInt64(arg).value;
  return () => n;
}

function binary(op: (a: bigint, b: bigint) => bigint): ConverterImpl {
  return (conv) => {
    const b = operand(conv.args[0] ?? '');
    return (s, env) => {
      const v = b(env);
      return v === undefined || s.type !== 'sint' ? undefined : sint(op(s.n, v));
    };
  };
}

function unary(op: (a: bigint) => Sample): ConverterImpl {
  return () => (s) => (s.type === 'sint' || s.type === 'bool' ? op(s.n) : undefined);
}

export const ARITH_CONVERTERS: Readonly<Record<string, ConverterImpl>> = {
  add: binary(arithAdd),
  sub: binary(arithSub),
  mul: binary(arithMul),
  div: binary(arithDiv),
  mod: binary(arithMod),
  and: binary((a, b) => a & b),
  or: binary((a, b) => a | b),
  xor: binary((a, b) => a ^ b),
  neg: unary((a) => sint(a === INT64_MIN ? INT64_MAX : -a)),
  cpl: unary((a) => sint(~a)),
  bool: unary((a) => bool(a !== 0n)),
  not: unary((a) => bool(a === 0n)),
  odd: unary((a) => bool((a & 1n) === 1n)),
  even: unary((a) => bool((a & 1n) === 0n)),
};
