// What `halo handover` and `halo drill` read back from a running node's runtime API, pure:
// `show vrrp`'s tables and `show info`'s node name turned into one NodeStatus, and which
// node a `--to NODE` names (its node name, one of its instance addresses, or its socket).

export interface InstanceStatus {
  readonly name: string;
  readonly state: string;
  readonly interface: string;
  readonly effectivePriority: number;
  readonly vips: readonly string[];
  readonly handover: boolean;
  readonly degraded: boolean;
  readonly address: string | undefined;
}

export interface NodeStatus {
  /** The runtime API socket it was read from. */
  readonly socket: string;
  /** `show info`'s `node` (HAProxy's node name: `node` in global, else the host name). */
  readonly node: string;
  readonly instances: readonly InstanceStatus[];
  /** The built-in trackers' names (`backend NAME min_up N`, `frontend NAME`, `worker`). */
  readonly trackers: readonly string[];
}

/** The rows of each `# ` table of `show vrrp`, by the table's header. */
function tables(text: string): string[][][] {
  const out: string[][][] = [];
  let cur: string[][] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      cur = [];
      out.push(cur);
    } else if (line.trim() !== '' && cur) cur.push(line.split(' '));
  }
  return out;
}

/** Parses `show info` + `show vrrp` of one node; undefined when it has no VRRP. */
export function parseNodeStatus(
  socket: string,
  info: string,
  vrrp: string,
): NodeStatus | undefined {
  const node = /^node: (.*)$/m.exec(info)?.[1]?.trim() ?? '';
  const t = tables(vrrp);
  const main = t[0];
  if (!main || !vrrp.startsWith('# instance state vrid')) return undefined;
  const extra = new Map((t[3] ?? []).map((r) => [r[0], r]));
  const instances = main.map((r) => {
    const x = extra.get(r[0]);
    return {
      name: r[0] ?? '',
      state: r[1] ?? '',
      interface: r[3] ?? '',
      effectivePriority: Number(r[5]),
      vips: r[8] && r[8] !== '-' ? r[8].split(',') : [],
      handover: x?.[1] === 'on',
      degraded: x?.[2] === 'yes',
      address: x?.[3] && x[3] !== '-' ? x[3] : undefined,
    };
  });
  const trackers = [...new Set((t[1] ?? []).map((r) => r.slice(4).join(' ')))];
  return { socket, node, instances, trackers };
}

/** The backends the node's built-in trackers watch (`backend NAME min_up N`). */
export function trackedBackends(n: NodeStatus): string[] {
  return n.trackers.flatMap((t) => {
    const m = /^backend (\S+) min_up \d+$/.exec(t);
    return m ? [m[1]!] : [];
  });
}

/** `BACKEND/SERVER` of every row of `show servers state` (HAProxy's format 1). */
export function serversOf(state: string): string[] {
  return state
    .split('\n')
    .filter((l) => /^\d+ /.test(l))
    .map((l) => {
      const f = l.split(' ');
      return `${f[1]}/${f[3]}`;
    });
}

/** The node `--to` names: by node name, instance address or socket path. */
export function findNode(nodes: readonly NodeStatus[], to: string): NodeStatus | undefined {
  return (
    nodes.find((n) => n.node === to) ??
    nodes.find((n) => n.instances.some((i) => i.address === to)) ??
    nodes.find((n) => n.socket === to)
  );
}

/** Whether `n` holds every instance (MASTER) it runs. */
export function holdsAll(n: NodeStatus): boolean {
  return n.instances.length > 0 && n.instances.every((i) => i.state === 'MASTER');
}
