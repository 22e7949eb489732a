// `userlist` sections: `user NAME [password HASH | insecure-password TEXT] [groups G,...]`
// and `group NAME [users U,...]`, with HAProxy 2.6's messages (measured with `haproxy -c`
// on 2.6.12). Their users are what `http_auth(LIST)` and `http_auth_group(LIST)` check.

import type { LineCtx } from './draft.js';
import type { Userlist, UserlistUser } from './model.js';

export interface UserlistDraft {
  readonly pos: LineCtx['pos'];
  readonly name: string;
  readonly users: {
    pos: LineCtx['pos'];
    name: string;
    password: UserlistUser['password'];
    groups: string[];
  }[];
  readonly groups: { pos: LineCtx['pos']; name: string; users: string[] }[];
  /** Errors found once the section is complete (an unknown group or user). */
  readonly ctx: LineCtx;
}

/** `userlist NAME`: a new section, or undefined for a duplicate (its lines are skipped). */
export function openUserlist(
  ctx: LineCtx,
  lists: Map<string, UserlistDraft>,
): UserlistDraft | undefined {
  const name = ctx.arg(1);
  if (name === '') {
    ctx.error('HAP_MISSING_NAME', "'userlist' expects <name> as arguments.");
    return undefined;
  }
  if (lists.has(name)) {
    ctx.warning('HAP_DUPLICATE_USERLIST', `ignoring duplicated userlist '${name}'.`);
    return undefined;
  }
  const list: UserlistDraft = { pos: ctx.pos, name, users: [], groups: [], ctx };
  lists.set(name, list);
  return list;
}

const csv = (v: string) => v.split(',').filter((x) => x !== '');

export function userlistLine(ctx: LineCtx, list: UserlistDraft): void {
  const kw = ctx.arg(0);
  if (kw === 'user') {
    let password: UserlistUser['password'] = { kind: 'insecure', value: '' };
    let none = true;
    const groups: string[] = [];
    for (let i = 2; i < ctx.words.length; i++) {
      const w = ctx.words[i]!;
      if (w === 'password' || w === 'insecure-password') {
        password = { kind: w === 'password' ? 'crypt' : 'insecure', value: ctx.arg(++i) };
        none = false;
      } else if (w === 'groups') groups.push(...csv(ctx.arg(++i)));
      else {
        ctx.error(
          'HAP_BAD_ARGS',
          `'user' only supports 'password', 'insecure-password' and 'groups' (got '${w}').`,
        );
        return;
      }
    }
    // Without a password no one can log in as this user: an empty crypt never matches.
    list.users.push({
      pos: ctx.pos,
      name: ctx.arg(1),
      password: none ? { kind: 'crypt', value: '' } : password,
      groups,
    });
    return;
  }
  if (kw === 'group') {
    const users = ctx.arg(2) === 'users' ? csv(ctx.arg(3)) : [];
    list.groups.push({ pos: ctx.pos, name: ctx.arg(1), users });
    return;
  }
  ctx.error('HAP_UNKNOWN_KEYWORD', `unknown keyword '${kw}' in 'users' section`);
}

/** The sections with each user's groups joined from both directions; errors as HAProxy's. */
export function resolveUserlists(
  drafts: ReadonlyMap<string, UserlistDraft>,
): Map<string, Userlist> {
  const out = new Map<string, Userlist>();
  for (const d of drafts.values()) {
    const groupNames = new Set(d.groups.map((g) => g.name));
    const userNames = new Set(d.users.map((u) => u.name));
    for (const u of d.users)
      for (const g of u.groups)
        if (!groupNames.has(g))
          d.ctx.diags.error(
            u.pos,
            'HAP_USERLIST_GROUP',
            `userlist '${d.name}': no such group '${g}' specified in user '${u.name}'`,
            'haproxy',
          );
    for (const g of d.groups)
      for (const u of g.users)
        if (!userNames.has(u))
          d.ctx.diags.error(
            g.pos,
            'HAP_USERLIST_USER',
            `userlist '${d.name}': no such user '${u}' specified in group '${g.name}'`,
            'haproxy',
          );
    const users = d.users.map((u) => ({
      pos: u.pos,
      name: u.name,
      password: u.password,
      groups: [
        ...new Set([
          ...u.groups,
          ...d.groups.filter((g) => g.users.includes(u.name)).map((g) => g.name),
        ]),
      ],
    }));
    out.set(d.name, { pos: d.pos, name: d.name, users });
  }
  return out;
}
