// The process's account settings of the `global` section: `user`/`group` by name and
// `uid`/`gid` by number, each settable once. Names are looked up later, through the host
// (host-checks.ts), as HAProxy looks them up while parsing.

import type { GlobalDraft } from '../draft.js';
import { alreadySpecified as already, type Keyword, tooManyArgs } from './types.js';

export function idSetting(name: 'uid' | 'gid'): Keyword<GlobalDraft> {
  const other = name === 'uid' ? 'user' : 'group';
  return {
    name,
    args: '<number>',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      if (g[name] !== undefined || g[other]) {
        already(ctx, name === 'uid' ? 'user/uid' : 'group/gid');
        return;
      }
      if (!ctx.arg(1)) {
        ctx.error('HAP_MISSING_ARG', `'${name}' expects an integer argument.`);
        return;
      }
      if (!/^-?[0-9]+$/.test(ctx.arg(1))) {
        ctx.warning(
          'HAP_NOT_A_NUMBER',
          ` ${name}: string '${ctx.arg(1)}' is not a number. | You might want to use the '${other}' parameter to use a system ${other} name.`,
        );
        return;
      }
      g[name] = Number(ctx.arg(1));
    },
  };
}

export function nameSetting(name: 'user' | 'group'): Keyword<GlobalDraft> {
  const id = name === 'user' ? 'uid' : 'gid';
  return {
    name,
    args: '<name>',
    parse(ctx, g) {
      if (tooManyArgs(ctx, 1)) return;
      if (g[name] || g[id] !== undefined) {
        already(ctx, name === 'user' ? 'user/uid' : 'gid/group was');
        return;
      }
      // HAProxy looks the name up in the system database here; halo does it afterwards,
      // through the injected host (host-checks.ts). No account has an empty name.
      if (!ctx.arg(1)) {
        const code = name === 'user' ? 'HAP_UNKNOWN_USER' : 'HAP_UNKNOWN_GROUP';
        ctx.error(code, `cannot find ${name} id for ''.`);
        return;
      }
      g[name] = { name: ctx.arg(1), pos: ctx.pos };
    },
  };
}
