// A group of nodes for `halo plan`: each node's parsed keepalived.conf (and haproxy.cfg),
// their vrrp_instances paired into virtual routers across the nodes, and each member's
// address and engine settings. Pure: the CLI reads and parses the files.

import type { Diagnostics, SourcePos } from '../config/diagnostics.js';
import type { HaproxyConfig } from '../config/haproxy/model.js';
import type { KeepalivedConfig, VrrpInstance } from '../config/keepalived/model.js';
import { parseIp } from '../net/ip-address.js';
import { instanceSettings } from '../vrrp/settings.js';
import type { VrrpInstanceSettings } from '../vrrp/types.js';

export interface PlanNode {
  /** How the node is called in the output: its folder's or its file's name. */
  readonly label: string;
  /** The keepalived.conf as given (for positions of the node as a whole). */
  readonly file: string;
  readonly keepalived: KeepalivedConfig;
  readonly haproxy?: HaproxyConfig;
}

export type AddressSource = 'unicast_src_ip' | 'router_id' | 'unknown';

/** One node's vrrp_instance of a virtual router. */
export interface PlanMember {
  readonly node: number;
  readonly label: string;
  readonly inst: VrrpInstance;
  readonly cfg: KeepalivedConfig;
  /** The address the node sends adverts from, as far as its files tell. */
  readonly address: string;
  readonly addressFrom: AddressSource;
  readonly settings: VrrpInstanceSettings;
}

/** The same vrrp_instance on every node: one VRRP virtual router. */
export interface VirtualRouter {
  readonly name: string;
  readonly members: PlanMember[];
}

/** A stand-in address (TEST-NET-3) for a node whose files name none, by input order. */
function standIn(node: number, family: 4 | 6): string {
  return family === 6 ? `2001:db8::${node + 1}` : `203.0.113.${node + 1}`;
}

function nodeAddress(
  inst: VrrpInstance,
  cfg: KeepalivedConfig,
  node: number,
): { address: string; from: AddressSource } {
  const family = inst.family ?? 4;
  if (inst.unicastSrcIp) return { address: inst.unicastSrcIp, from: 'unicast_src_ip' };
  const rid = cfg.globalDefs.routerId;
  // Operators often set router_id to the node's address, as the article does.
  if (rid && parseIp(rid)?.family === family) return { address: rid, from: 'router_id' };
  return { address: standIn(node, family), from: 'unknown' };
}

function member(n: PlanNode, node: number, inst: VrrpInstance): PlanMember {
  const { address, from } = nodeAddress(inst, n.keepalived, node);
  const cfg = n.keepalived;
  const inSyncGroup = cfg.syncGroups.some((g) => g.group.includes(inst.name));
  const settings = instanceSettings(inst, {
    globalDefs: cfg.globalDefs,
    scripts: cfg.scripts,
    trackFiles: cfg.trackFiles,
    inSyncGroup,
    primaryAddress: address,
  });
  return { node, label: n.label, inst, cfg, address, addressFrom: from, settings };
}

/**
 * Pairs the first node's instances with the others' by name (or, where a node names
 * them differently, by their order in the file); a node without the instance is an error.
 */
export function pairInstances(nodes: readonly PlanNode[], d: Diagnostics): VirtualRouter[] {
  const first = nodes[0];
  if (!first) return [];
  return first.keepalived.instances.map((ref, index) => {
    const members: PlanMember[] = [member(first, 0, ref)];
    nodes.forEach((n, node) => {
      if (node === 0) return;
      const list = n.keepalived.instances;
      const inst = list.find((x) => x.name === ref.name) ?? list[index];
      if (inst) members.push(member(n, node, inst));
      else {
        const at: SourcePos = { file: n.file, line: 1 };
        d.error(
          at,
          'HALO_PLAN_MISSING_INSTANCE',
          `${n.label} has no vrrp_instance ${ref.name} (${pos(ref.pos)} on ${first.label})`,
          'halo',
          'every node of the group needs the same vrrp_instance, or the VIP has no backup there',
        );
      }
    });
    return { name: ref.name, members };
  });
}

export function pos(p: SourcePos): string {
  return `${p.file}:${p.line}`;
}
