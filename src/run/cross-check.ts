// Checks that need both files of `halo run`: every track_proxy backend and frontend names
// a proxy of the haproxy.cfg that can serve as one (a backend or listen with servers, a
// frontend or listen with binds). Errors point at the keepalived.conf line.

import type { Diagnostics } from '../config/diagnostics.js';
import type { HaproxyConfig } from '../config/haproxy/model.js';
import type { KeepalivedConfig } from '../config/keepalived/model.js';

export function checkTrackProxy(
  haproxy: HaproxyConfig,
  keepalived: KeepalivedConfig,
  d: Diagnostics,
): void {
  const active = haproxy.proxies.filter((p) => !p.disabled);
  const backends = active.filter((p) => p.kind !== 'frontend').map((p) => p.name);
  const frontends = active
    .filter((p) => p.kind !== 'backend' && p.binds.length > 0)
    .map((p) => p.name);
  for (const inst of keepalived.instances) {
    for (const t of inst.trackProxy ?? []) {
      if (t.kind === 'worker') continue;
      const known = t.kind === 'backend' ? backends : frontends;
      if (known.includes(t.name)) continue;
      const list = known.length > 0 ? known.join(', ') : 'none';
      d.error(
        t.pos,
        'HALO_TRACK_PROXY_UNKNOWN',
        `(${inst.name}) track_proxy: no ${t.kind} '${t.name}' in the haproxy configuration (${t.kind}s: ${list})`,
        'halo',
      );
    }
  }
}
