// Which of HAProxy's reg-tests apply to a program, by the `#KEY=value` header lines of each
// .vtc file, with the rules HAProxy's scripts/run-regtests.sh documents (types default, bug,
// devel and slow; required version, options, services; excluded targets). Pure: the
// program's version, features and services come from its `-vv`.

export interface ProgramInfo {
  /** e.g. 2.6.12 */
  readonly version: string;
  /** `+X` names of the feature list. */
  readonly features: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  /** TARGET of the build (linux-glibc). */
  readonly target: string;
}

/** Reads `haproxy -vv` output. */
export function programInfo(vv: string): ProgramInfo {
  const version = /version (\d+\.\d+(?:\.\d+)?)/i.exec(vv)?.[1] ?? '0.0';
  const features = new Set<string>();
  for (const m of (/^Feature list : (.*)$/m.exec(vv)?.[1] ?? '').matchAll(/\+([A-Z0-9_]+)/g))
    features.add(m[1] as string);
  const services = new Set<string>();
  const block = /^Available services :([\s\S]*?)(?:\n\n|\nAvailable filters)/m.exec(vv)?.[1];
  for (const w of (block ?? '').split(/\s+/)) if (/^[a-z][a-z0-9-]*$/.test(w)) services.add(w);
  const target = /TARGET\s*=\s*(\S+)/.exec(vv)?.[1] ?? 'linux-glibc';
  return { version, features, services, target };
}

function versionNumber(v: string): number {
  const [a = 0, b = 0, c = 0] = v.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  return a * 1_000_000 + b * 1_000 + c;
}

export const DEFAULT_TYPES: readonly string[] = ['default', 'bug', 'devel', 'slow'];

/** Why a test is left out for `info`, or undefined when it is selected. */
export function skipReason(
  vtc: string,
  info: ProgramInfo,
  types: readonly string[] = DEFAULT_TYPES,
): string | undefined {
  const head = new Map<string, string>();
  for (const m of vtc.matchAll(/^#([0-9A-Z_]+)=(.*)$/gm)) head.set(m[1] as string, m[2] as string);
  const list = (...keys: string[]) =>
    keys.flatMap((k) => (head.get(k) ?? '').split(',').filter((x) => x !== ''));
  const type = head.get('REGTEST_TYPE') || 'default';
  if (!types.includes('any') && !types.includes(type)) return `type '${type}'`;
  const min = head.get('REQUIRE_VERSION');
  if (min && versionNumber(info.version) < versionNumber(min)) return `needs version ${min}`;
  const below = head.get('REQUIRE_VERSION_BELOW');
  if (below && versionNumber(info.version) >= versionNumber(below))
    return `needs a version below ${below}`;
  for (const t of list('EXCLUDE_TARGETS', 'EXCLUDE_TARGET'))
    if (t === info.target) return `excludes target ${t}`;
  for (const o of list('REQUIRE_OPTIONS', 'REQUIRE_OPTION'))
    if (!o.split('|').some((alt) => info.features.has(alt))) return `needs option ${o}`;
  for (const s of list('REQUIRE_SERVICES', 'REQUIRE_SERVICE'))
    if (!s.split('|').some((alt) => info.services.has(alt))) return `needs service ${s}`;
  return undefined;
}
