// `halo plan`'s group checks, table-driven: each broken pair of nodes yields its finding at
// the odd node's line (and names the line it disagrees with); a matching pair yields none.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { parseHaproxy } from '../../src/config/haproxy/index.js';
import { parseKeepalived } from '../../src/config/keepalived/index.js';
import { type PlanNode, planGroup } from '../../src/plan/index.js';

interface Node {
  priority: number;
  lines?: string;
  auth?: string;
  vip?: string;
  routerId?: string;
  haproxy?: string;
}

function conf(n: Node): string {
  return [
    'global_defs {',
    `    router_id ${n.routerId ?? '192.0.2.1'}`,
    '}',
    'vrrp_instance VI_1 {',
    '    state BACKUP',
    '    interface eth0',
    '    virtual_router_id 51',
    `    priority ${n.priority}`,
    ...(n.lines ? [n.lines] : []),
    ...(n.auth ? ['    authentication {', `        ${n.auth}`, '    }'] : []),
    '    virtual_ipaddress {',
    `        ${n.vip ?? '192.0.2.100'}`,
    '    }',
    '}',
    '',
  ].join('\n');
}

const HAPROXY = (port: number, servers: string) =>
  `frontend fe\n    mode tcp\n    bind *:${port}\n    default_backend be\nbackend be\n    mode tcp\n${servers}`;

function plan(nodes: Node[]) {
  const planNodes: PlanNode[] = nodes.map((n, i) => {
    const file = `n${i + 1}.conf`;
    const r = parseKeepalived(
      { path: file, text: conf(n) },
      { readFile: () => '', glob: () => [] },
      { offline: true },
    );
    assert.ok(r.config);
    const h = n.haproxy ? parseHaproxy([{ path: `n${i + 1}.cfg`, text: n.haproxy }]) : undefined;
    return {
      label: `n${i + 1}`,
      file,
      keepalived: r.config,
      ...(h?.config ? { haproxy: h.config } : {}),
    };
  });
  return planGroup(planNodes, { maxChanges: 0 });
}

const S1 = '    server a 192.0.2.11:6443 check\n    server b 192.0.2.12:6443 check\n';

const CASES: {
  name: string;
  nodes: Node[];
  want: string[];
}[] = [
  {
    name: 'a matching pair',
    nodes: [
      { priority: 100, routerId: '192.0.2.11' },
      { priority: 90, routerId: '192.0.2.12' },
    ],
    want: [],
  },
  {
    name: 'advert_int differs',
    nodes: [
      { priority: 100, routerId: '192.0.2.11' },
      { priority: 90, routerId: '192.0.2.12', lines: '    advert_int 2' },
    ],
    want: ['n2.conf:9: error: (VI_1) advert_int 2 s on n2, 1 s on n1 (n1.conf:4)'],
  },
  {
    name: 'password differs',
    nodes: [
      { priority: 100, routerId: '192.0.2.11', auth: 'auth_type PASS\n        auth_pass one' },
      { priority: 90, routerId: '192.0.2.12', auth: 'auth_type PASS\n        auth_pass two' },
    ],
    want: ['n2.conf:10: error: (VI_1) authentication PASS two on n2, PASS one on n1 (n1.conf:10)'],
  },
  {
    name: 'VIP prefix differs and misses a node',
    nodes: [
      { priority: 100, routerId: '192.0.2.11', vip: '192.0.2.100/24' },
      { priority: 90, routerId: '198.51.100.12', vip: '192.0.2.100/25' },
    ],
    want: [
      "n1.conf:10: error: (VI_1) VIP 192.0.2.100/24 on n1 does not contain n2's address 198.51.100.12 (router_id)",
      'n2.conf:10: error: (VI_1) virtual_ipaddress 192.0.2.100/25 on n2, 192.0.2.100/24 on n1 (n1.conf:10)',
      "n2.conf:10: error: (VI_1) VIP 192.0.2.100/25 on n2 does not contain n2's address 198.51.100.12 (router_id)",
    ],
  },
  {
    name: 'unicast peers that do not name each other',
    nodes: [
      {
        priority: 100,
        lines: '    unicast_src_ip 192.0.2.11\n    unicast_peer {\n        192.0.2.12\n    }',
      },
      {
        priority: 90,
        routerId: '192.0.2.2',
        lines: '    unicast_src_ip 192.0.2.12\n    unicast_peer {\n        192.0.2.12\n    }',
      },
    ],
    want: [
      "n2.conf:11: error: (VI_1) n2's unicast_peer does not name n1 (192.0.2.11, its unicast_src_ip)",
      "n2.conf:11: error: (VI_1) n2's unicast_peer names its own address 192.0.2.12",
    ],
  },
  {
    name: 'same priority, same router_id, same unicast_src_ip',
    nodes: [
      { priority: 100, routerId: 'lb', lines: '    unicast_src_ip 192.0.2.11' },
      { priority: 100, routerId: 'lb', lines: '    unicast_src_ip 192.0.2.11' },
    ],
    want: [
      'n2.conf:2: warning: router_id lb on n2 and on n1 (n1.conf:2)',
      'n2.conf:8: error: (VI_1) priority 100 on n2 and on n1 (n1.conf:8)',
      'n2.conf:9: error: (VI_1) unicast_src_ip 192.0.2.11 on n2 and on n1 (n1.conf:9)',
    ],
  },
  {
    name: 'the proxies bind other ports and list other servers',
    nodes: [
      { priority: 100, routerId: '192.0.2.11', haproxy: HAPROXY(9443, S1) },
      {
        priority: 90,
        routerId: '192.0.2.12',
        haproxy: HAPROXY(8443, '    server a 192.0.2.11:6443 check\n'),
      },
    ],
    want: [
      'n2.cfg:3: error: frontend fe binds 8443 on n2, 9443 on n1 (n1.cfg:3)',
      'n2.cfg:7: error: backend be servers 192.0.2.11:6443 on n2, 192.0.2.11:6443 192.0.2.12:6443 on n1 (n1.cfg:7)',
    ],
  },
];

describe('halo plan group checks', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = plan(c.nodes);
      const got = r.diagnostics.map((d) => formatDiagnostic(d).split('\n')[0]);
      assert.deepEqual(got, c.want);
      assert.equal(
        r.flagged,
        c.want.some((w) => w.includes(': error: ')),
      );
    });
  }
});
