// `option forwardfor` as HAProxy 2.6 applies it to a request: on when the frontend or the
// backend has it (the article's tcp frontend has it dropped, its http backend inherits it
// from defaults); the backend's header name wins; `if-none` only when every side that set
// the option said so; a client in either side's `except` network gets no header. The
// header is appended as its own line, name in lower case (measured on 2.6.12).

import { BlockList, isIP } from 'node:net';
import type { Forwardfor } from '../../config/haproxy/model.js';

export interface ForwardforRule {
  /** Lower-case header name. */
  readonly header: string;
  readonly ifNone: boolean;
  readonly except: readonly BlockList[];
}

function network(spec: string): BlockList | undefined {
  const [addr, bits] = spec.split('/') as [string, string | undefined];
  const family = isIP(addr);
  if (family === 0) return undefined;
  const list = new BlockList();
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(addr, type);
  else list.addSubnet(addr, Number(bits), type);
  return list;
}

/** Combines the frontend's and backend's settings once per (frontend, backend) pair. */
export function forwardforRule(
  fe: Forwardfor | undefined,
  be: Forwardfor | undefined,
): ForwardforRule | undefined {
  const set = [fe, be].filter((f): f is Forwardfor => f !== undefined);
  if (set.length === 0) return undefined;
  const except: BlockList[] = [];
  for (const f of set) {
    const n = f.except === undefined ? undefined : network(f.except);
    if (n) except.push(n);
  }
  return {
    header: (be ?? fe)!.header.toLowerCase(),
    ifNone: set.every((f) => f.ifNone),
    except,
  };
}

/** The header to append for a client, or undefined when the rule says none. */
export function forwardedFor(
  rule: ForwardforRule | undefined,
  clientIp: string,
  has: (name: string) => boolean,
): [string, string] | undefined {
  if (!rule) return undefined;
  if (rule.ifNone && has(rule.header)) return undefined;
  const family = isIP(clientIp);
  if (family === 0) return undefined; // unix socket clients: HAProxy adds nothing
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (rule.except.some((n) => n.check(clientIp, type))) return undefined;
  return [rule.header, clientIp];
}
