// Keepalived 2.2.7's log lines for the VRRP engine, verbatim, so operators' grep habits keep
// working. Sources: keepalived/vrrp/vrrp.c, vrrp_scheduler.c, vrrp_track.c, trackers/track_file.c, vrrp_arp.c,
// vrrp_ndisc.c, core/keepalived_netlink.c at tag v2.2.7, checked against the output of
// /usr/sbin/keepalived 2.2.7 run in network namespaces (test/fixtures/vrrp/*.log).
// Lines Keepalived prints only with -D (--log-detail) are marked `detail`.

export const kaLog = {
  enteringBackupInit: (i: string) => `(${i}) Entering BACKUP STATE (init)`,
  enteringBackup: (i: string) => `(${i}) Entering BACKUP STATE`,
  enteringMaster: (i: string) => `(${i}) Entering MASTER STATE`,
  enteringFault: (i: string) => `(${i}) Entering FAULT STATE`,
  /** vrrp_complete_init, for an instance down at start (lower case, as Keepalived has it) */
  enteringFaultAtStart: (i: string) => `(${i}) entering FAULT state`,
  syncGroupTo: (g: string, state: 'MASTER' | 'BACKUP' | 'FAULT') =>
    `VRRP_Group(${g}) Syncing instances to ${state} state`,
  syncGroupMemberFault: (g: string, i: string) => `VRRP_Group(${g}): Syncing ${i} to FAULT state`,
  /** detail */
  receiveTimeout: (i: string) => `(${i}) Receive advertisement timeout`,
  /** detail */
  settingVips: (i: string) => `(${i}) setting VIPs.`,
  /** detail */
  removingVips: (i: string) => `(${i}) removing VIPs.`,
  /** detail */
  sentZeroPriority: (i: string) => `(${i}) sent 0 priority`,
  /** detail; once per VIP per round of gratuitous ARPs / NAs */
  sendingGarps: (i: string, ifname: string, addr: string, ipv6: boolean) =>
    `(${i}) Sending/queueing ${ipv6 ? 'Unsolicited Neighbour Adverts' : 'gratuitous ARPs'} on ${ifname} for ${addr}`,
  /** detail; once per frame, by the sender */
  sendingGarpFrame: (ifname: string, addr: string) =>
    `Sending gratuitous ARP on ${ifname} for ${addr}`,
  /** detail; once per frame, by the sender */
  sendingNaFrame: (ifname: string, addr: string) =>
    `Sending unsolicited Neighbour Advert on ${ifname} for ${addr}`,
  changingPriority: (i: string, from: number, to: number) =>
    `(${i}) Changing effective priority from ${from} to ${to}`,
  masterHigherPriority: (i: string, from: string, prio: number, ours: number) =>
    `(${i}) Master received advert from ${from} with higher priority ${prio}, ours ${ours}`,
  masterSamePriorityHigherIp: (i: string, from: string, prio: number) =>
    `(${i}) Master received advert from ${from} with same priority ${prio} but higher IP address than ours`,
  masterLowerPriority: (i: string, from: string, prio: number, ours: number, advert: boolean) =>
    `(${i}) Received advert from ${from} with lower priority ${prio}, ours ${ours}${advert ? ', forcing new election' : ''}`,
  /** detail */
  masterPriorityZero: (i: string) => `(${i}) Master received priority 0 message`,
  equalPriorityOurAddress: (i: string) =>
    `(${i}) WARNING - equal priority advert received from remote host with our IP address.`,
  bothOwners: (i: string) =>
    `(${i}) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority`,
  backupDiscardLower: (i: string, prio: number, from: string) =>
    `(${i}) received lower priority (${prio}) advert from ${from} - discarding`,
  /** detail */
  backupPriorityZero: (i: string) => `(${i}) Backup received priority 0 advertisement`,
  /** detail; delay in ms, printed as seconds.microseconds */
  startPreemptDelay: (i: string, delayMs: number) => {
    const us = Math.round(delayMs * 1000);
    return `(${i}) start preempt delay (${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')})`;
  },
  /** detail */
  stopPreemptDelay: (i: string) => `(${i}) stop preempt delay`,
  faultDueToScript: (i: string, script: string) =>
    `(${i}): entering FAULT state due to script ${script}`,
  faultInterfaceDown: (i: string, ifname: string) =>
    `(${i}): entering FAULT state (interface ${ifname} down)`,
  faultTrackedFile: (i: string, file: string, status: number) =>
    `(${i}): entering FAULT state (tracked file ${file} has status ${status})`,
  /** detail */
  trackedFileFault: (i: string, file: string) => `(${i}): tracked file ${file} now FAULT state`,
  /** detail */
  trackedFileLeavingFault: (i: string, file: string) =>
    `(${i}): tracked file ${file} leaving FAULT state`,
  /** detail */
  settingEffectivePriority: (i: string, prio: number) =>
    `(${i}) Setting effective priority to ${prio}`,
  trackFileInvalidNumber: (printed: string, path: string) =>
    `Invalid number ${printed} read from ${path} - ignoring`,
  trackFileNoDirectory: (file: string) =>
    `Track file directory for ${file} does not exist - removing`,
  trackFileNotAccessible: (file: string) => `track file ${file} is not accessible - ignoring`,
  trackFileInitNotRegular: (file: string) =>
    `Cannot initialise track file ${file} - it is not a regular file`,
  trackFileInitFailed: (file: string) => `Unable to initialise track file ${file}`,
  netlinkReports: (ifname: string, up: boolean) =>
    `Netlink reports ${ifname} ${up ? 'up' : 'down'}`,
  scriptNowReturning: (script: string, status: number) =>
    `Script \`${script}\` now returning ${status}`,
  scriptSucceeded: (script: string) => `VRRP_Script(${script}) succeeded`,
  scriptFailed: (script: string, reason?: { kind: 'status' | 'signal'; code: number }) =>
    reason
      ? `VRRP_Script(${script}) failed (${reason.kind === 'status' ? 'exited with status' : 'due to signal'} ${reason.code})`
      : `VRRP_Script(${script}) failed`,
  scriptTimedOut: (script: string) => `VRRP_Script(${script}) timed_out`,
} as const;
