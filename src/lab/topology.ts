// The article's cluster as `halo lab` builds it (pure: names, addresses, and the rewrite of
// the article's files to the lab). Three masters on a bridge in 198.51.100.0/24 (a
// documentation range, no route out), the VIP 198.51.100.100, and a client namespace.

/** Every namespace of the lab starts with this, so `down` finds leftovers of a crashed run. */
export const LAB_PREFIX = 'halolab-';
export const LAB_SUBNET = '198.51.100';
export const LAB_VIP = `${LAB_SUBNET}.100`;
export const CLIENT_ADDRESS = `${LAB_SUBNET}.50`;
export const FRONTEND_PORT = 9443;
export const APISERVER_PORT = 6443;
export const STATS_PORT = 9188;
export const LAB_DEV = 'eth0';

/** The article's addresses, in master order. */
const ARTICLE_MASTERS = ['192.168.217.19', '192.168.217.20', '192.168.217.21'];
const ARTICLE_VIP = '192.168.217.100';

export interface LabMaster {
  readonly name: string;
  readonly index: 1 | 2 | 3;
  readonly ns: string;
  readonly address: string;
  /** The bridge port (in the switch namespace) its eth0 is plugged into. */
  readonly port: string;
}

export const FAULTS = ['proxy', 'apiserver', 'freeze', 'link'] as const;
export type Fault = (typeof FAULTS)[number];

export function labMasters(): LabMaster[] {
  return ([1, 2, 3] as const).map((index) => ({
    name: `master${index}`,
    index,
    ns: `${LAB_PREFIX}master${index}`,
    address: `${LAB_SUBNET}.${10 + index}`,
    port: `p${index}`,
  }));
}

export const SWITCH_NS = `${LAB_PREFIX}sw`;
export const CLIENT_NS = `${LAB_PREFIX}client`;

export interface RewriteResult {
  readonly text: string;
  /** What was changed and why, for the user (one line each). */
  readonly notes: string[];
}

/**
 * The article's haproxy.cfg for one lab master: servers on the lab addresses, root-only
 * settings out (the lab runs without root), the runtime API and a unix `bind` for the stats
 * page in the lab's directory (the host reaches it through that file), and the mode trap
 * fixed as `halo check` suggests ('mode tcp' in backend apiserver).
 */
export function rewriteHaproxy(text: string, m: LabMaster, dir: string): RewriteResult {
  let out = text;
  ARTICLE_MASTERS.forEach((a, i) => {
    out = out.replace(`${a}:${APISERVER_PORT}`, `${LAB_SUBNET}.${11 + i}:${APISERVER_PORT}`);
  });
  out = out
    .replace(/^(\s*)(chroot|user|group|daemon)\b.*$/gm, '$1# ($2: left out by halo lab)')
    .replace('/var/run/haproxy.pid', `${dir}/${m.name}-haproxy.pid`)
    .replace('/var/lib/haproxy/stats', `${dir}/${m.name}.sock level admin`)
    .replace(/^(\s*bind 0\.0\.0\.0:9188)(.*)$/m, `$1$2\n    bind ${dir}/${m.name}-stats.sock`);
  const notes: string[] = [];
  if (/^backend apiserver$/m.test(out) && !/^backend apiserver\n\s+mode tcp/m.test(out)) {
    out = out.replace(/^backend apiserver$/m, 'backend apiserver\n    mode tcp');
    notes.push(
      "mode trap: backend 'apiserver' inherits 'mode http' from defaults under a 'mode tcp' frontend " +
        "(kubectl's TLS would be read as HTTP); fixed with 'mode tcp' in backend apiserver",
    );
  }
  return { text: out, notes };
}

/**
 * The article's keepalived-masterN.conf for the lab: the VIP, interface and router_id moved
 * to the lab, and `track_script check_haproxy` replaced by the built-in tracker halo check
 * proposes (the frontend bound, the worker alive, a backend server UP): the node hands the
 * VIP over with a priority-0 advert instead of after up to 12.6 s of polling.
 */
export function rewriteKeepalived(text: string, m: LabMaster): RewriteResult {
  const out = text
    .replace(/router_id \S+/, `router_id lab-${m.name}`)
    .replace(/interface \S+/, `interface ${LAB_DEV}`)
    .replace(
      new RegExp(`^(\\s*)${ARTICLE_VIP.replaceAll('.', '\\.')}\\s*$`, 'm'),
      `$1${LAB_VIP}/24`,
    )
    .replace(
      /track_script \{[^}]*\}/,
      'track_proxy {\n        frontend apiserver\n        worker\n        backend apiserver\n    }',
    );
  return {
    text: out,
    notes: [
      'track_script check_haproxy replaced by track_proxy { frontend apiserver; worker; backend apiserver } ' +
        '(halo check: failover in 0.61 s instead of up to 12.61 s)',
    ],
  };
}

/** The node that holds the VIP alone, or undefined (none or several). */
export function soleHolder(holders: readonly string[]): string | undefined {
  return holders.length === 1 ? holders[0] : undefined;
}

export function parseFault(s: string | undefined): Fault | undefined {
  const f = s ?? 'proxy';
  return (FAULTS as readonly string[]).includes(f) ? (f as Fault) : undefined;
}
