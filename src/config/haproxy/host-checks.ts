// Checks that depend on the host `haproxy -c` runs on: the account names of `user`/`group`
// (global, `stats socket` and `bind` options), which HAProxy looks up while parsing. The
// parser stays pure: the lookups come from an injected host, and without one (`--offline`,
// a config written for another machine) nothing is checked.

import type { Diagnostics, SourcePos } from '../diagnostics.js';
import type { ParsedConfig } from './parser.js';

export interface HaproxyHost {
  userExists?(name: string): boolean;
  groupExists?(name: string): boolean;
}

type Kind = 'user' | 'group';

const HINT =
  "HAProxy looks the name up when it reads the configuration and refuses to start without it. Create the account on this host (the Debian/Ubuntu haproxy package creates 'haproxy'), or use 'halo check --offline' for a configuration written for another machine.";

function exists(host: HaproxyHost, kind: Kind, name: string): boolean {
  const lookup = kind === 'user' ? host.userExists : host.groupExists;
  return lookup ? lookup.call(host, name) : true;
}

export function hostChecks(parsed: ParsedConfig, host: HaproxyHost, diags: Diagnostics): void {
  const report = (pos: SourcePos, message: string, name: string, kind: Kind) =>
    diags.error(
      pos,
      kind === 'user' ? 'HAP_UNKNOWN_USER' : 'HAP_UNKNOWN_GROUP',
      message,
      'haproxy',
      `There is no ${kind} '${name}' on this host. ${HINT}`,
    );
  const g = parsed.global;
  for (const kind of ['user', 'group'] as const) {
    const setting = g[kind];
    if (setting?.name && !exists(host, kind, setting.name)) {
      report(setting.pos, `cannot find ${kind} id for '${setting.name}'.`, setting.name, kind);
    }
    for (const s of g.statsSockets) {
      const name = s.options[kind];
      if (typeof name === 'string' && !exists(host, kind, name)) {
        report(s.pos, `'stats socket' : ''${kind}' : unknown ${kind} name '${name}''`, name, kind);
      }
    }
    for (const px of parsed.proxies) {
      for (const b of px.binds) {
        const name = b.options[kind];
        if (typeof name === 'string' && !exists(host, kind, name)) {
          report(
            b.pos,
            `'bind ${b.spec}' in section '${px.kind}' : '${kind}' : unknown ${kind} name '${name}'`,
            name,
            kind,
          );
        }
      }
    }
  }
}
