// halo's own findings on a resolved keepalived.conf: things Keepalived accepts silently
// but that hurt in production (clear-text auth, slow failover, surprising defaults).

import type { Diagnostics } from '../diagnostics.js';
import type { InstanceDraft } from './drafts.js';
import type { KeepalivedConfig, VrrpInstance, VrrpScript } from './model.js';

/** Failover estimates above this are reported (ms). */
export const SLOW_FAILOVER_MS = 5000;

export function haloChecks(
  cfg: KeepalivedConfig,
  drafts: readonly InstanceDraft[],
  d: Diagnostics,
): void {
  for (const inst of cfg.instances) {
    const draft = drafts.find((x) => x.name === inst.name && x.pos === inst.pos);
    if (draft) oneLineAuth(draft, d);
    if (draft && draft.state === 'MASTER' && draft.priority === undefined) ownerPriority(inst, d);
    if (inst.auth?.type === 'PASS') cleartextAuth(inst, d);
    if (inst.auth?.type === 'AH') ahUnsupported(inst, d);
    for (const t of inst.trackScript) {
      const script = cfg.scripts.find((s) => s.name === t.name);
      if (script) slowFailover(inst, script, t.weight ?? script.weight, t.pos, d);
      if (script && checksTheProxy(script) && !inst.trackProxy?.length)
        builtInTracker(inst, script, t.weight ?? script.weight, t.pos, d);
    }
  }
  const g = cfg.globalDefs;
  if (g.enableScriptSecurity && !g.scriptUser && cfg.scripts.length > 0) {
    const first = cfg.scripts[0];
    if (first) {
      d.warning(
        first.pos,
        'HALO_SCRIPT_DEFAULT_USER',
        'enable_script_security without script_user: Keepalived runs scripts as user keepalived_script',
        'halo',
        "where that user does not exist Keepalived 2.2.7 removes every vrrp_script ('Unable to set default user'); add `script_user <user>` to global_defs",
      );
    }
  }
}

function oneLineAuth(inst: InstanceDraft, d: Diagnostics): void {
  if (!inst.authOneLine || !inst.authStmt) return;
  d.warning(
    inst.authStmt.pos,
    'HALO_ONE_LINE_AUTH',
    `(${inst.name}) one-line authentication block: halo reads auth_pass, Keepalived 2.2.7 ignores it`,
    'halo',
    'Keepalived takes the line between the braces as `auth_type` with extra words, then reports "Authentication specified but no password given" and sends adverts without authentication, so halo and Keepalived nodes would not accept each other\'s adverts; put auth_type and auth_pass on lines of their own',
  );
}

function ownerPriority(inst: VrrpInstance, d: Diagnostics): void {
  d.warning(
    inst.pos,
    'HALO_OWNER_PRIORITY',
    `(${inst.name}) state MASTER without priority: Keepalived makes this node the address owner (priority 255)`,
    'halo',
    'an address owner takes the VIP back at once and nopreempt/preempt_delay are reset; set an explicit priority below 255 unless this node really owns the address',
  );
}

function cleartextAuth(inst: VrrpInstance, d: Diagnostics): void {
  d.warning(
    inst.auth?.pos ?? inst.pos,
    'HALO_AUTH_PASS_CLEARTEXT',
    `(${inst.name}) auth_type PASS sends the password in clear text in every advert`,
    'halo',
    'anyone on the segment can read it and forge adverts; RFC 3768 removed VRRP authentication because it gives no security. It only keeps unrelated VRRP groups apart: use a unique virtual_router_id and a firewall rule for protocol 112 instead',
  );
}

function ahUnsupported(inst: VrrpInstance, d: Diagnostics): void {
  d.warning(
    inst.auth?.pos ?? inst.pos,
    'HALO_AUTH_AH_UNSUPPORTED',
    `(${inst.name}) auth_type AH is not implemented by halo vrrp`,
    'halo',
    "Keepalived accepts it, but halo sends and expects adverts without the IPsec AH header, so halo and Keepalived nodes would not accept each other's adverts; use no authentication (or PASS) in a mixed group",
  );
}

/**
 * Failover after a tracked script starts failing: `fall` failed runs, `interval` apart;
 * then with a weight the backup waits Master_Down_Interval (3 × advert_int + skew), and
 * with weight 0 the master goes FAULT and hands over with a priority-0 advert (skew).
 */
export function estimateFailoverMs(inst: VrrpInstance, script: VrrpScript, weight: number): number {
  const skew = ((256 - inst.priority) / 256) * inst.advertInt;
  const detect = script.interval * script.fall;
  return weight === 0 ? detect + skew : detect + 3 * inst.advertInt + skew;
}

/** A vrrp_script that watches the proxy (the article's `ss -alnupt | grep 9443`, pidof...). */
export function checksTheProxy(script: VrrpScript): boolean {
  const s = script.script;
  // The proxy named as a word of its own (`pidof haproxy`, `systemctl is-active
  // haproxy.service`, `/usr/sbin/haproxy -c`), not any path that contains the letters
  // (`/usr/local/bin/halo-check-disk`).
  const proxyWord = /(^|[\s/'"])(haproxy|halo)(\.service)?(?=$|[\s'";|&])/;
  return proxyWord.test(s) || /\bss\b.*\b\d{2,5}\b/.test(s) || /pidof|killall -0/.test(s);
}

/** `halo run` tracks the proxy from inside: a fault on the spot, the handover in Skew_Time. */
function builtInTracker(
  inst: VrrpInstance,
  script: VrrpScript,
  weight: number,
  pos: VrrpScript['pos'],
  d: Diagnostics,
): void {
  const s = (v: number): string => `${Number((v / 1000).toFixed(2))} s`;
  const now = estimateFailoverMs(inst, script, weight);
  const builtIn = estimateFailoverMs(inst, { ...script, interval: 0, fall: 0 }, 0);
  d.notice(
    pos,
    'HALO_BUILTIN_TRACKER',
    `(${inst.name}) under \`halo run\`, \`track_proxy { frontend NAME }\` would replace track_script ${script.name}: failover in ${s(builtIn)} instead of up to ${s(now)}`,
    'halo',
    `the proxy tells VRRP at once when its frontend is unbound or its worker dies (no script, no polling), and the node hands the VIP over with a priority-0 advert; keep the track_script for a real Keepalived, which reports each track_proxy line as an unknown keyword (\`keepalived -t\` exits 5) and ends the vrrp_instance at its closing brace: put track_proxy last`,
  );
}

function slowFailover(
  inst: VrrpInstance,
  script: VrrpScript,
  weight: number,
  pos: VrrpScript['pos'],
  d: Diagnostics,
): void {
  const ms = estimateFailoverMs(inst, script, weight);
  if (ms <= SLOW_FAILOVER_MS) return;
  const s = (v: number): string => `${Number((v / 1000).toFixed(2))} s`;
  const fast = estimateFailoverMs(inst, { ...script, interval: 1000, fall: 1 }, weight);
  d.notice(
    pos,
    'HALO_SLOW_FAILOVER',
    `(${inst.name}) failover when ${script.name} fails takes up to ${s(ms)}: interval ${s(script.interval)} × fall ${script.fall} + ${weight === 0 ? '' : `3 × advert_int ${s(inst.advertInt)} + `}skew ${s(((256 - inst.priority) / 256) * inst.advertInt)}`,
    'halo',
    `clients lose the VIP for that long (the article's settings measured 12.1 s); \`interval 1\` and \`fall 1\` in vrrp_script ${script.name} bring it to at most ${s(fast)}`,
  );
}
