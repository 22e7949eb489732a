// ACL declarations and `if`/`unless` conditions: `acl NAME criterion values...`,
// `if a !b || TRUE`, `unless { src 10.0.0.0/8 }`. Criteria are checked against the fetch
// methods and converters HAProxy knows.

import type { LineCtx } from '../draft.js';
import { parseSampleExpr } from '../log-format.js';
import type { Acl, Condition } from '../model.js';
import { checkCriterion } from './acl-criterion.js';

/** ACLs HAProxy predefines in every proxy. */
export const PREDEFINED_ACLS = new Set([
  'TRUE',
  'FALSE',
  'HTTP',
  'HTTP_1.0',
  'HTTP_1.1',
  'HTTP_2.0',
  'HTTP_CONTENT',
  'HTTP_URL_ABS',
  'HTTP_URL_SLASH',
  'HTTP_URL_STAR',
  'LOCALHOST',
  'METH_CONNECT',
  'METH_DELETE',
  'METH_GET',
  'METH_HEAD',
  'METH_OPTIONS',
  'METH_POST',
  'METH_PUT',
  'METH_TRACE',
  'RDP_COOKIE',
  'REQ_CONTENT',
  'WAIT_END',
]);

export function parseAcl(ctx: LineCtx): Acl | undefined {
  const name = ctx.arg(1);
  if (!name) {
    ctx.error('HAP_MISSING_ARG', `'acl' expects an ACL name.`);
    return undefined;
  }
  if (!/^[A-Za-z0-9_.:-]+$/.test(name)) {
    ctx.error(
      'HAP_BAD_VALUE',
      `character '${[...name].find((c) => !/[A-Za-z0-9_.:-]/.test(c))}' is not permitted in acl name '${name}'.`,
    );
    return undefined;
  }
  const criterion = ctx.arg(2);
  if (!criterion) {
    ctx.error(
      'HAP_MISSING_ARG',
      `error detected while parsing ACL '${name}' : missing fetch method in ACL expression ''.`,
    );
    return undefined;
  }
  const problem = checkCriterion(criterion);
  if (problem) {
    ctx.diags.error(
      ctx.pos,
      'HAP_UNKNOWN_FETCH',
      `error detected while parsing ACL '${name}' : ${problem.message}`,
      'haproxy',
      problem.hint,
    );
    return undefined;
  }
  const files = criterionFiles(ctx, criterion);
  return { pos: ctx.pos, name, criterion, values: ctx.words.slice(3), ...(files ? { files } : {}) };
}

/**
 * The map files a criterion's converters name (`hdr(host),map(/etc/haproxy/h.map)`),
 * read now as HAProxy reads them; the condition is compiled from these later.
 */
function criterionFiles(ctx: LineCtx, criterion: string): Record<string, string> | undefined {
  if (!/,map/.test(criterion)) return undefined;
  const seen: Record<string, string> = {};
  parseSampleExpr(criterion, {
    read: (path) => {
      const data = ctx.files.read(path);
      if (data) seen[path] = data.toString('latin1');
      return data;
    },
  });
  return Object.keys(seen).length > 0 ? seen : undefined;
}

/** Measured on HAProxy 2.6: an empty condition never matches, so `if` is dead, `unless` always. */
function warnEmptyCondition(ctx: LineCtx, from: number, kw: 'if' | 'unless'): void {
  const rule = ctx.words.slice(0, from + 1).join(' ');
  ctx.diags.warning(
    ctx.pos,
    'HALO_EMPTY_CONDITION',
    `'${rule}' has an empty condition, which HAProxy accepts without a word: the rule ${kw === 'if' ? 'never applies' : 'always applies'}`,
    'halo',
    `Write the condition after '${kw}' ('if TRUE' makes a rule apply always).`,
  );
}

/**
 * Parses `if|unless COND` starting at word `from`. `known` tells which ACL names exist
 * at this point of the proxy; `rule` names the rule in the error (`switching rule`).
 */
export function parseCondition(
  ctx: LineCtx,
  from: number,
  known: (name: string) => boolean,
  rule: string,
): Condition | undefined | 'error' {
  const kw = ctx.words[from];
  if (kw === undefined) return undefined;
  if (kw !== 'if' && kw !== 'unless') return 'error';
  const terms: Condition['terms'] = [[]];
  const words = ctx.words.slice(from + 1);
  if (words.length === 0) warnEmptyCondition(ctx, from, kw);
  for (let i = 0; i < words.length; i++) {
    let w = words[i] as string;
    if (w === '||' || w === 'or') {
      terms.push([]);
      continue;
    }
    let negate = false;
    while (w.startsWith('!')) {
      negate = !negate;
      w = w.slice(1);
    }
    if (w === '') {
      w = words[i + 1] ?? '';
      if (w === '') continue;
      i++;
    }
    if (w === '{') {
      const close = words.indexOf('}', i + 1);
      const end = close < 0 ? words.length : close;
      if (close < 0) {
        ctx.error(
          'HAP_BAD_CONDITION',
          `error detected while parsing ${rule} : missing closing '}' in condition.`,
        );
        return 'error';
      }
      const criterion = words[i + 1] as string;
      const problem =
        close === i + 1
          ? { message: "missing fetch method in ACL expression ''." }
          : checkCriterion(criterion);
      if (problem) {
        ctx.diags.error(
          ctx.pos,
          'HAP_UNKNOWN_FETCH',
          `error detected while parsing ${rule} : ${problem.message}`,
          'haproxy',
          problem.hint,
        );
        return 'error';
      }
      const files = criterionFiles(ctx, criterion);
      (terms[terms.length - 1] as Condition['terms'][number]).push({
        name: `{ ${words.slice(i + 1, end).join(' ')} }`,
        negate,
        ...(files ? { files } : {}),
      });
      i = end;
      continue;
    }
    if (!known(w) && !PREDEFINED_ACLS.has(w)) {
      ctx.error('HAP_UNKNOWN_ACL', `error detected while parsing ${rule} : no such ACL : '${w}'.`);
      return 'error';
    }
    (terms[terms.length - 1] as Condition['terms'][number]).push({ name: w, negate });
  }
  return { pos: ctx.pos, negate: kw === 'unless', terms: terms.filter((t) => t.length > 0) };
}
