// What the nodes of one group must agree on (VRID, version, advert_int, authentication, the
// VIPs and their prefix, the subnet, unicast peers naming each other, the proxy's bind
// ports and backends) and where they must differ (priority, router_id, unicast_src_ip).
// Each finding names the odd node's line and the line it disagrees with.

import type { Diagnostics, SourcePos } from '../config/diagnostics.js';
import type { HaproxyConfig } from '../config/haproxy/model.js';
import type { InstanceKeyword } from '../config/keepalived/model.js';
import { parseIp } from '../net/ip-address.js';
import { type PlanMember, type PlanNode, pos, type VirtualRouter } from './group.js';

const CODE = 'HALO_PLAN_MISMATCH';

function at(m: PlanMember, kw: InstanceKeyword): SourcePos {
  return m.inst.keywordPos?.[kw] ?? m.inst.pos;
}

function authText(m: PlanMember): string {
  const s = m.settings;
  return s.authType === 0 ? 'none' : `${s.authType === 1 ? 'PASS' : 'AH'} ${s.authPass ?? ''}`;
}

function vipText(m: PlanMember): string {
  return m.inst.virtualIpaddress
    .map((v) => `${v.address}/${v.prefix}`)
    .sort()
    .join(' ');
}

interface Agreed {
  readonly what: string;
  readonly value: (m: PlanMember) => string;
  readonly at: (m: PlanMember) => SourcePos;
  readonly why: string;
}

const AGREED: readonly Agreed[] = [
  {
    what: 'virtual_router_id',
    value: (m) => String(m.inst.virtualRouterId),
    at: (m) => at(m, 'virtual_router_id'),
    why: 'nodes with different VRIDs ignore each other and each holds the VIP',
  },
  {
    what: 'VRRP version',
    value: (m) => String(m.settings.version),
    at: (m) => at(m, 'version'),
    why: 'a VRRPv2 node drops VRRPv3 adverts and the other way round: both hold the VIP',
  },
  {
    what: 'advert_int',
    value: (m) => `${m.settings.advertIntMs / 1000} s`,
    at: (m) => at(m, 'advert_int'),
    why: 'Keepalived drops adverts with another interval (VRRPv2) and the down timers differ',
  },
  {
    what: 'authentication',
    value: authText,
    at: (m) => m.inst.auth?.pos ?? m.inst.pos,
    why: 'adverts that fail authentication are dropped: both nodes hold the VIP',
  },
  {
    what: 'virtual_ipaddress',
    value: vipText,
    at: (m) => m.inst.virtualIpaddress[0]?.pos ?? m.inst.pos,
    why: 'Keepalived drops adverts whose address list differs, and each node would bring up its own addresses',
  },
];

export function checkAgreement(
  nodes: readonly PlanNode[],
  routers: readonly VirtualRouter[],
  d: Diagnostics,
): void {
  for (const r of routers) {
    const ref = r.members[0];
    if (!ref) continue;
    for (const m of r.members.slice(1)) {
      for (const a of AGREED) {
        const mine = a.value(m);
        const theirs = a.value(ref);
        if (mine === theirs) continue;
        d.error(
          a.at(m),
          CODE,
          `(${r.name}) ${a.what} ${mine} on ${m.label}, ${theirs} on ${ref.label} (${pos(a.at(ref))})`,
          'halo',
          a.why,
        );
      }
    }
    mustDiffer(r, d);
    subnet(r, d);
    unicastPeers(r, d);
  }
  routerIds(nodes, d);
  proxies(nodes, d);
}

function mustDiffer(r: VirtualRouter, d: Diagnostics): void {
  const seen = new Map<string, PlanMember>();
  for (const m of r.members) {
    const p = seen.get(`p${m.inst.priority}`);
    if (p) {
      d.error(
        at(m, 'priority'),
        'HALO_PLAN_SAME_PRIORITY',
        `(${r.name}) priority ${m.inst.priority} on ${m.label} and on ${p.label} (${pos(at(p, 'priority'))})`,
        'halo',
        'with equal priorities the higher address wins the election, and a backup never takes the VIP from an equal master: give every node its own priority',
      );
    } else seen.set(`p${m.inst.priority}`, m);
    if (m.inst.unicastSrcIp) {
      const u = seen.get(`u${m.inst.unicastSrcIp}`);
      if (u) {
        d.error(
          at(m, 'unicast_src_ip'),
          'HALO_PLAN_SAME_UNICAST_SRC',
          `(${r.name}) unicast_src_ip ${m.inst.unicastSrcIp} on ${m.label} and on ${u.label} (${pos(at(u, 'unicast_src_ip'))})`,
          'halo',
          "each node sends from its own address; a copied unicast_src_ip makes the peers drop this node's adverts",
        );
      } else seen.set(`u${m.inst.unicastSrcIp}`, m);
    }
  }
}

/** A VIP with a prefix shorter than a host's must contain every node's known address. */
function subnet(r: VirtualRouter, d: Diagnostics): void {
  for (const m of r.members) {
    for (const v of m.inst.virtualIpaddress) {
      const full = v.family === 6 ? 128 : 32;
      if (v.prefix >= full) continue;
      for (const o of r.members) {
        if (o.addressFrom === 'unknown' || inPrefix(o.address, v.address, v.prefix)) continue;
        d.error(
          v.pos,
          'HALO_PLAN_SUBNET',
          `(${r.name}) VIP ${v.address}/${v.prefix} on ${m.label} does not contain ${o.label}'s address ${o.address} (${o.addressFrom})`,
          'halo',
          'the VIP is added to the interface with this prefix; a node outside it cannot answer ARP for it on that segment',
        );
      }
    }
  }
}

export function inPrefix(addr: string, net: string, prefix: number): boolean {
  const a = parseIp(addr);
  const n = parseIp(net);
  if (!a || !n || a.family !== n.family) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((a.bytes[byte]! & mask) !== (n.bytes[byte]! & mask)) return false;
  }
  return true;
}

/** With unicast, each node must list every other node's address and not its own. */
function unicastPeers(r: VirtualRouter, d: Diagnostics): void {
  if (!r.members.some((m) => m.inst.unicastPeer.length > 0)) return;
  for (const m of r.members) {
    const listed = m.inst.unicastPeer.map((p) => p.address);
    const where = m.inst.unicastPeer[0]?.pos ?? m.inst.pos;
    for (const o of r.members) {
      if (o === m || o.addressFrom === 'unknown' || listed.includes(o.address)) continue;
      d.error(
        where,
        'HALO_PLAN_UNICAST_PEER',
        `(${r.name}) ${m.label}'s unicast_peer does not name ${o.label} (${o.address}, its ${o.addressFrom})`,
        'halo',
        `${o.label} never hears ${m.label}'s adverts: when ${m.label} is master, ${o.label} takes the VIP too`,
      );
    }
    for (const p of m.inst.unicastPeer) {
      if (p.address === m.address && m.addressFrom !== 'unknown') {
        d.error(
          p.pos,
          'HALO_PLAN_UNICAST_PEER',
          `(${r.name}) ${m.label}'s unicast_peer names its own address ${p.address}`,
          'halo',
          'a copied peer list: list the other nodes only',
        );
      }
    }
  }
}

function routerIds(nodes: readonly PlanNode[], d: Diagnostics): void {
  const seen = new Map<string, PlanNode>();
  for (const n of nodes) {
    const g = n.keepalived.globalDefs;
    if (!g.routerId) continue;
    const other = seen.get(g.routerId);
    const here = g.routerIdPos ?? { file: n.file, line: 1 };
    if (other) {
      const there = other.keepalived.globalDefs.routerIdPos ?? { file: other.file, line: 1 };
      // A warning: router_id names the node in logs, e-mails and SNMP; VRRP never sends it.
      d.warning(
        here,
        'HALO_PLAN_SAME_ROUTER_ID',
        `router_id ${g.routerId} on ${n.label} and on ${other.label} (${pos(there)})`,
        'halo',
        'a copied file: logs, e-mails and SNMP name both nodes alike; set each node its own router_id',
      );
    } else seen.set(g.routerId, n);
  }
}

/** The proxy's listening ports and each backend's servers, as text per section. */
function proxyShape(cfg: HaproxyConfig): Map<string, { text: string; at: SourcePos }> {
  const out = new Map<string, { text: string; at: SourcePos }>();
  for (const p of cfg.proxies) {
    const ports = p.binds
      .flatMap((b) => b.addresses)
      .map((a) => (a.kind === 'inet' ? String(a.port) : a.kind))
      .sort();
    if (ports.length > 0) {
      out.set(`${p.kind} ${p.name} bind`, {
        text: ports.join(','),
        at: p.binds[0]?.pos ?? p.pos,
      });
    }
    if (p.servers.length > 0) {
      out.set(`${p.kind} ${p.name} servers`, {
        text: p.servers.map((s) => `${s.host}:${s.port ?? ''}`).join(' '),
        at: p.servers[0]?.pos ?? p.pos,
      });
    }
  }
  return out;
}

function proxies(nodes: readonly PlanNode[], d: Diagnostics): void {
  const withProxy = nodes.filter((n) => n.haproxy);
  const ref = withProxy[0];
  if (!ref?.haproxy) return;
  const want = proxyShape(ref.haproxy);
  for (const n of withProxy.slice(1)) {
    if (!n.haproxy) continue;
    const got = proxyShape(n.haproxy);
    for (const [key, w] of want) {
      const g = got.get(key);
      if (g?.text === w.text) continue;
      const [kind, name, part] = key.split(' ');
      d.error(
        g?.at ?? n.haproxy.proxies[0]?.pos ?? { file: n.file, line: 1 },
        CODE,
        `${kind} ${name} ${part === 'bind' ? 'binds' : 'servers'} ${g?.text ?? '(none)'} on ${n.label}, ${w.text} on ${ref.label} (${pos(w.at)})`,
        'halo',
        'the VIP moves between nodes: each must serve the same ports with the same backends, or clients see a different service after a failover',
      );
    }
  }
}
