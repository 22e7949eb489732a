// `http_auth(LIST)` and `http_auth_group(LIST) GROUP...`: the request's `Authorization:
// Basic` credentials checked against a userlist, as HAProxy 2.6 does. `insecure-password`
// compares the text; `password` verifies a SHA-256 or SHA-512 crypt(3) hash (`$5$`, `$6$`)
// with the unixcrypt package, loaded before the proxy serves (preloadCrypt). Other hash
// schemes are refused with the config (authChecks), so a check never silently fails open.
// Verified pairs are remembered (by a digest, not the password) so a client does not pay
// the hash's 5000 rounds on every request.

import { createRequire } from 'node:module';
import type { Userlist, UserlistUser } from '../../config/haproxy/model.js';

interface Crypt {
  verify(plaintext: string, hash: string): boolean;
}

let crypt: Crypt | undefined;
let loading: Promise<void> | undefined;

/** Loads the crypt(3) module (an ES module, so not on demand inside a request). */
export function preloadCrypt(): Promise<void> {
  loading ??= import('unixcrypt').then((m: Crypt) => {
    crypt = m;
  });
  return loading;
}

/** Hash schemes halo verifies: SHA-256 and SHA-512 crypt. */
export function supportedHash(hash: string): boolean {
  return /^\$[56]\$/.test(hash);
}

// node:crypto costs some 18 ms at start-up (ssl-hello-probe.ts): loaded with the first check.
let cryptoModule: typeof import('node:crypto') | undefined;
const digest = (text: string) => {
  cryptoModule ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return cryptoModule.createHash('sha256').update(text).digest('base64');
};

const verified = new Map<string, true>();
const VERIFIED_MAX = 1024;

function passwordMatches(user: UserlistUser, password: string): boolean {
  const p = user.password;
  if (p.kind === 'insecure') return p.value === password;
  if (p.value === '' || !supportedHash(p.value) || !crypt) return false;
  const key = digest(`${p.value}\0${password}`);
  if (verified.has(key)) return true;
  if (!crypt.verify(password, p.value)) return false;
  if (verified.size >= VERIFIED_MAX) verified.clear();
  verified.set(key, true);
  return true;
}

/** The user name and password of an `Authorization: Basic` value, or undefined. */
export function basicCredentials(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('latin1');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The authenticated user of `list`, or undefined when the credentials do not check. */
export function authenticatedUser(
  list: Userlist,
  header: string | undefined,
): UserlistUser | undefined {
  const c = basicCredentials(header);
  if (!c) return undefined;
  const user = list.users.find((u) => u.name === c.user);
  return user && passwordMatches(user, c.password) ? user : undefined;
}
