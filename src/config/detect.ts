// Recognises a config file's language by its content, so `halo check -f` takes either kind.

export type ConfigKind = 'haproxy' | 'keepalived' | 'unknown';

const HAPROXY_SECTION =
  /^(global|defaults|frontend|backend|listen|peers|resolvers|userlist|mailers|program|http-errors|ring|cache)(\s|$)/;
const KEEPALIVED_BLOCK =
  /^\s*(global_defs|vrrp_instance|vrrp_script|vrrp_sync_group|vrrp_track_file|virtual_server|virtual_server_group|static_ipaddress|static_routes|include|linkbeat_interfaces|track_file)\b/;

/** Counts lines that only one of the two languages would start with; the larger count wins. */
export function detectConfigKind(text: string): ConfigKind {
  let haproxy = 0;
  let keepalived = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' || /^\s*[#!]/.test(line)) continue;
    if (HAPROXY_SECTION.test(line)) haproxy += 2;
    if (KEEPALIVED_BLOCK.test(line)) keepalived += 2;
    if (/[{}]\s*$/.test(line)) keepalived += 1;
  }
  if (haproxy === 0 && keepalived === 0) return 'unknown';
  return haproxy >= keepalived ? 'haproxy' : 'keepalived';
}
