// `halo init`'s design of a cluster: the validated answers and what follows from them
// (node names, VRRP priorities, the tracker's weight, the virtual_router_id, passwords).
// Pure: randomness comes in as a function so golden tests can fix it.

import { isIPv4 } from '../config/keepalived/address.js';

/** Returns n random bytes (crypto.randomBytes in the CLI, a fixed sequence in tests). */
export type RandomBytes = (n: number) => Uint8Array;

export interface ExtraPort {
  readonly port: number;
  /** The HTTPS path the health check GETs on that port. */
  readonly path: string;
}

export interface InitAnswers {
  /** IPv4 address, optionally with a /prefix as keepalived's virtual_ipaddress takes it. */
  readonly vip: string;
  readonly port: number;
  readonly masters: readonly string[];
  readonly interface: string;
  readonly apiserverPort: number;
  readonly vrrpVersion: 2 | 3;
  readonly unicast: boolean;
  readonly tracker: 'script' | 'builtin';
  readonly extraPorts: readonly ExtraPort[];
  readonly statsPort: number;
  /** Set when the operator chose one; otherwise derived from the VIP. */
  readonly vrid?: number | undefined;
}

export interface NodeDesign {
  readonly name: string;
  readonly address: string;
  readonly priority: number;
}

export interface ClusterDesign {
  readonly answers: InitAnswers;
  readonly vipAddress: string;
  readonly nodes: readonly NodeDesign[];
  /** Subtracted from a node's priority while its proxy check fails (positive here). */
  readonly trackerWeight: number;
  readonly vrid: number;
  readonly vridDerived: boolean;
  readonly statsUser: string;
  readonly statsPassword: string;
  /** VRRPv2 PASS authentication only (at most 8 characters on the wire). */
  readonly authPass?: string | undefined;
}

export const MIN_MASTERS = 2;
export const MAX_MASTERS = 8;
/** Priority of the last master; each one before it is PRIORITY_STEP higher. */
const BASE_PRIORITY = 100;
const PRIORITY_STEP = 10;

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A password of `length` characters drawn without bias from ALPHABET (57 symbols that
 * can't be misread: no 0/O, 1/l/I), by rejection sampling of random bytes.
 */
export function generatePassword(random: RandomBytes, length: number): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const b of random(length * 2)) {
      if (b >= limit) continue;
      out += ALPHABET[b % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * The virtual_router_id for a VIP: FNV-1a over its four bytes, folded into 1..255, so two
 * clusters on one segment with different VIPs rarely pick the same VRID (the operator
 * is told, and can set --vrid).
 */
export function vridFor(vip: string): number {
  let h = 0x811c9dc5;
  for (const octet of vip.split('.').map(Number)) {
    h ^= octet;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 255) + 1;
}

/**
 * Priorities 100 + 10·(n-1), ..., 110, 100: distinct, the first master preferred. A
 * failing tracker subtracts 10·n, more than the spread 10·(n-1) between the first and the
 * last, so a node whose proxy check fails always ranks below every healthy node and never
 * ties with one (a failed first master, 100 + 10·(n-1) - 10·n = 90, is under the last, 100).
 */
export function prioritiesFor(count: number): { priorities: number[]; weight: number } {
  const priorities = Array.from(
    { length: count },
    (_, i) => BASE_PRIORITY + PRIORITY_STEP * (count - 1 - i),
  );
  return { priorities, weight: PRIORITY_STEP * count };
}

function splitVip(vip: string): { address: string; prefix?: number } {
  const slash = vip.indexOf('/');
  if (slash < 0) return { address: vip };
  return { address: vip.slice(0, slash), prefix: Number(vip.slice(slash + 1)) };
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function portProblem(what: string, port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535
    ? undefined
    : `${what} must be a port number 1..65535 (got '${port}')`;
}

/** Every problem with the answers, as one line each; empty when they make a cluster. */
export function validateAnswers(a: InitAnswers): string[] {
  const problems: string[] = [];
  const { address, prefix } = splitVip(a.vip);
  if (!isIPv4(address)) problems.push(`--vip must be an IPv4 address (got '${a.vip}')`);
  else if (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 1 && prefix <= 32))
    problems.push(`--vip prefix must be 1..32 (got '${a.vip}')`);
  if (a.masters.length < MIN_MASTERS || a.masters.length > MAX_MASTERS)
    problems.push(
      `--masters needs ${MIN_MASTERS} to ${MAX_MASTERS} addresses (got ${a.masters.length})`,
    );
  const seen = new Set<string>();
  for (const m of a.masters) {
    if (!isIPv4(m)) problems.push(`--masters: '${m}' is not an IPv4 address`);
    else if (seen.has(m)) problems.push(`--masters: '${m}' is listed twice`);
    else if (m === address) problems.push(`--masters: '${m}' is the VIP itself`);
    seen.add(m);
  }
  if (isIPv4(address) && prefix !== undefined && prefix < 32) {
    const shift = 2 ** (32 - prefix);
    const net = Math.floor(ipv4Number(address) / shift);
    for (const m of a.masters)
      if (isIPv4(m) && Math.floor(ipv4Number(m) / shift) !== net)
        problems.push(`--masters: '${m}' is outside the VIP's subnet ${a.vip}`);
  }
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(a.interface) || a.interface === '.' || a.interface === '..')
    problems.push(`--interface must be a Linux interface name (got '${a.interface}')`);
  for (const [what, port] of [
    ['--port', a.port],
    ['--apiserver-port', a.apiserverPort],
    ['--stats-port', a.statsPort],
    ...a.extraPorts.map((e) => ['--extra-port', e.port] as const),
  ] as const) {
    const p = portProblem(what, port);
    if (p) problems.push(p);
  }
  const listening = [a.port, a.statsPort, ...a.extraPorts.map((e) => e.port)];
  const dup = listening.find((p, i) => listening.indexOf(p) !== i);
  if (dup !== undefined)
    problems.push(`port ${dup} is used twice (--port, --stats-port, --extra-port)`);
  for (const e of a.extraPorts)
    if (!/^\/[!-~]*$/.test(e.path))
      problems.push(`--extra-port ${e.port}: the check path must start with '/' (got '${e.path}')`);
  if (a.vrid !== undefined && !(Number.isInteger(a.vrid) && a.vrid >= 1 && a.vrid <= 255))
    problems.push(`--vrid must be 1..255 (got '${a.vrid}')`);
  return problems;
}

/** The cluster the answers describe; call validateAnswers first. */
export function designCluster(a: InitAnswers, random: RandomBytes): ClusterDesign {
  const { priorities, weight } = prioritiesFor(a.masters.length);
  const vipAddress = splitVip(a.vip).address;
  return {
    answers: a,
    vipAddress,
    nodes: a.masters.map((address, i) => ({
      name: `master${i + 1}`,
      address,
      priority: priorities[i]!,
    })),
    trackerWeight: weight,
    vrid: a.vrid ?? vridFor(vipAddress),
    vridDerived: a.vrid === undefined,
    statsUser: 'admin',
    statsPassword: generatePassword(random, 24),
    authPass: a.vrrpVersion === 2 ? generatePassword(random, 8) : undefined,
  };
}
