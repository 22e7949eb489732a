// keepalived.conf for one node of a `halo init` cluster: one vrrp_instance for the VIP with
// this node's priority, a tracker of the local proxy (a vrrp_script, or with --tracker
// builtin halo run's track_proxy), and the weight that makes a node whose check fails lose
// the VIP to any healthy one. Pure.

import type { ClusterDesign, NodeDesign } from './cluster.js';

/** vrrp_script timing; the interval is in seconds, as keepalived.conf takes it. */
export const TRACKER = { interval: 1, timeout: 2, fall: 2, rise: 2, curlMaxTime: 1 } as const;

function priorities(d: ClusterDesign): string {
  return d.nodes.map((n) => `${n.priority} (${n.name})`).join(' > ');
}

function weightArithmetic(d: ClusterDesign): string {
  const first = d.nodes[0]!;
  const last = d.nodes[d.nodes.length - 1]!;
  const w = d.trackerWeight;
  const what = d.answers.tracker === 'builtin' ? 'the backend tracker' : 'chk_proxy';
  return `# Priorities ${priorities(d)}. While ${what} fails it subtracts
# ${w}, more than ${first.priority} - ${last.priority} = ${first.priority - last.priority}, so a node whose proxy check fails always ranks below
# every healthy node and never ties with one (${first.priority} - ${w} = ${first.priority - w} < ${last.priority}); when every check
# fails the order stays the same and ${first.name} keeps the VIP.`;
}

function globalDefs(d: ClusterDesign, node: NodeDesign): string {
  if (d.answers.tracker === 'builtin')
    return `global_defs {
    router_id ${node.name}
    vrrp_version ${d.answers.vrrpVersion}
}
`;
  return `global_defs {
    router_id ${node.name}
    vrrp_version ${d.answers.vrrpVersion}
    # The check runs as root: with any other script_user Keepalived 2.2.7's
    # 'keepalived -t' ends itself with SIGTERM (exit 143). The script takes no input.
    enable_script_security
    script_user root
}
`;
}

function trackerScript(d: ClusterDesign): string {
  if (d.answers.tracker === 'builtin') return '';
  const t = TRACKER;
  const url = `https://127.0.0.1:${d.answers.port}/readyz`;
  return `
# The proxy answers on this node and relays to a ready apiserver: an HTTPS GET of /readyz
# through the local frontend (not a grep of 'ss' output, which also matches other ports
# and client connections). init_fail: a node that (re)starts counts as failed until rise
# checks pass, so it does not take the VIP before its proxy works.
vrrp_script chk_proxy {
    script "/usr/bin/curl --silent --fail --insecure --max-time ${t.curlMaxTime} --output /dev/null ${url}"
    interval ${t.interval}
    timeout ${t.timeout}
    fall ${t.fall}
    rise ${t.rise}
    weight -${d.trackerWeight}
    init_fail
}
`;
}

function authentication(d: ClusterDesign): string {
  if (d.answers.vrrpVersion !== 2) return '';
  return `    # VRRPv2 PASS travels in clear text: it keeps unrelated groups apart, it is no
    # protection against anyone on the segment (halo check warns about it).
    authentication {
        auth_type PASS
        auth_pass ${d.authPass}
    }
`;
}

function unicast(d: ClusterDesign, node: NodeDesign): string {
  if (!d.answers.unicast) return '';
  const peers = d.nodes
    .filter((n) => n !== node)
    .map((n) => `        ${n.address}`)
    .join('\n');
  return `    # Unicast adverts, for networks without multicast: this node's address and the others'.
    unicast_src_ip ${node.address}
    unicast_peer {
${peers}
    }
`;
}

function vridNote(d: ClusterDesign): string {
  return d.vridDerived
    ? `    # VRID ${d.vrid} derived from ${d.vipAddress}; set --vrid if another cluster on this segment uses it.`
    : `    # VRID ${d.vrid} chosen with --vrid.`;
}

function instance(d: ClusterDesign, node: NodeDesign): string {
  const a = d.answers;
  return `
${weightArithmetic(d)}
# Every node starts as BACKUP; the highest priority takes the VIP once it has heard no
# better advert for Master_Down_Interval (about 3 s), and preempts a lower master.
vrrp_instance VI_APISERVER {
    state BACKUP
    interface ${a.interface}
${vridNote(d)}
    virtual_router_id ${d.vrid}
    priority ${node.priority}
    advert_int 1
${authentication(d)}${unicast(d, node)}    virtual_ipaddress {
        ${a.vip}
    }
${a.tracker === 'builtin' ? trackProxy(d) : '    track_script {\n        chk_proxy\n    }\n'}}
`;
}

/**
 * halo run's built-in trackers, fed by the proxy itself (no polling): fewer than one
 * apiserver UP lowers the priority by the weight (every node sees the same apiservers, so
 * when all are down everywhere the order stays and the VIP stays); a frontend not
 * listening or no proxy worker alive is FAULT, a priority-0 advert at once.
 */
function trackProxy(d: ClusterDesign): string {
  const frontends = ['apiserver', ...d.answers.extraPorts.map((e) => `port-${e.port}`)];
  return `    # halo run's built-in trackers; a real Keepalived rejects this block, so these files
    # run under \`halo run -f haproxy.cfg -f keepalived.conf\` only. Keep the block last.
    track_proxy {
        backend apiserver min_up 1 weight -${d.trackerWeight}
${frontends.map((f) => `        frontend ${f}\n`).join('')}        worker
    }
`;
}

export function renderKeepalivedConf(d: ClusterDesign, node: NodeDesign): string {
  const check =
    d.answers.tracker === 'builtin'
      ? '! Check it with: halo check -f haproxy.cfg -f keepalived.conf   (for halo run; keepalived -t refuses track_proxy)'
      : '! Check it with: halo check -f keepalived.conf   (and keepalived -t -f keepalived.conf)';
  const head = `! keepalived.conf for ${node.name} (${node.address}), written by \`halo init\`.
${check}
`;
  return head + globalDefs(d, node) + trackerScript(d) + instance(d, node);
}
