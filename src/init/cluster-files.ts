// The files `halo init` writes for a cluster design: one folder per node with its
// haproxy.cfg and keepalived.conf, and a README.md that says where each goes. Pure: the
// CLI writes them.

import type { ClusterDesign } from './cluster.js';
import { renderHaproxyCfg, worstRemovalMs } from './render-haproxy.js';
import { renderKeepalivedConf } from './render-keepalived.js';

export interface GeneratedFile {
  /** Relative to the output folder, '/'-separated. */
  readonly path: string;
  readonly text: string;
  /** 0o600 for files holding a password. */
  readonly mode: number;
}

function readme(d: ClusterDesign): string {
  const a = d.answers;
  const rows = d.nodes
    .map(
      (n) =>
        `- \`${n.name}/\`: ${n.address}, VRRP priority ${n.priority}, stats page http://${n.address}:${a.statsPort}/stats`,
    )
    .join('\n');
  return `# Load balancer for the Kubernetes API at ${d.vipAddress}:${a.port}

Written by \`halo init\`. One folder per control-plane node:

${rows}

Copy each folder's files to its node:

- \`haproxy.cfg\` -> \`/etc/haproxy/haproxy.cfg\` (or run it with \`halo proxy -f haproxy.cfg\`)
${
  a.tracker === 'builtin'
    ? `- \`keepalived.conf\` -> \`/etc/keepalived/keepalived.conf\`, both run by \`halo run -f /etc/haproxy/haproxy.cfg -f /etc/keepalived/keepalived.conf\`
  (its \`track_proxy\` block is halo's: a real Keepalived refuses it; \`deploy/systemd/halo.service\` runs this command)`
    : '- `keepalived.conf` -> `/etc/keepalived/keepalived.conf` (or `halo vrrp -f keepalived.conf`)'
}

Point kubeadm at the VIP: \`kubeadm init --control-plane-endpoint ${d.vipAddress}:${a.port}\`.

- Apiservers on port ${a.apiserverPort} are checked with HTTPS \`GET /readyz\`; a dead one
  leaves rotation within ${(worstRemovalMs() / 1000).toFixed(1)} s (the arithmetic is in haproxy.cfg).
- VRRP version ${a.vrrpVersion}${a.unicast ? ', unicast' : ', multicast'}, virtual_router_id ${d.vrid}${d.vridDerived ? ` (derived from the VIP; pick another with --vrid if this segment has a cluster using ${d.vrid})` : ''}.
${
  a.tracker === 'builtin'
    ? "- The tracker is halo run's own (`track_proxy`): no apiserver UP lowers the priority, a proxy that cannot serve gives the VIP up at once (priority 0)."
    : '- The tracker (`vrrp_script chk_proxy`) runs `/usr/bin/curl`: install curl on every node.'
}
- Each node's own health: \`http://ADDRESS:${a.statsPort}/healthz\` (\`monitor-uri\`, 200 while the proxy runs).
- Stats login: user \`${d.statsUser}\`, the password is in each haproxy.cfg (\`stats auth\`).
  The files are written mode 0600 because they hold passwords.
- systemd units and a kubeadm static pod that run these files: halo's \`deploy/\` (\`deploy/README.md\`).

Check a node's files before copying them: \`halo check --offline -f ${d.nodes[0]!.name}/haproxy.cfg -f ${d.nodes[0]!.name}/keepalived.conf\`
(drop \`--offline\` on the node itself, where the interface \`${a.interface}\` exists).
`;
}

export function clusterFiles(d: ClusterDesign): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const node of d.nodes) {
    files.push({ path: `${node.name}/haproxy.cfg`, text: renderHaproxyCfg(d, node), mode: 0o600 });
    files.push({
      path: `${node.name}/keepalived.conf`,
      text: renderKeepalivedConf(d, node),
      mode: 0o600,
    });
  }
  files.push({ path: 'README.md', text: readme(d), mode: 0o644 });
  return files;
}

/** What the CLI prints after writing: the decisions an operator must know about. */
export function summary(d: ClusterDesign): string[] {
  const lines = [
    `VIP ${d.vipAddress}:${d.answers.port} for ${d.nodes.length} masters: ${d.nodes.map((n) => `${n.name} ${n.address} (priority ${n.priority})`).join(', ')}`,
    d.vridDerived
      ? `VRID ${d.vrid} derived from ${d.vipAddress}; set --vrid if another cluster on this segment uses it`
      : `VRID ${d.vrid} (from --vrid)`,
    d.answers.tracker === 'builtin'
      ? `tracker track_proxy (halo run): backend weight -${d.trackerWeight}, frontend and worker FAULT (priority 0 at once)`
      : `tracker chk_proxy: weight -${d.trackerWeight}, so a node whose proxy check fails always yields the VIP to a healthy one`,
  ];
  if (d.answers.vrrpVersion === 2)
    lines.push('VRRPv2 with a generated PASS password (sent in clear text; halo check warns)');
  return lines;
}
