// Which certificate of a `bind ... ssl` answers a client's SNI name: an exact name first,
// then a wildcard (`*.example.com` covers one label), else the first certificate loaded,
// as HAProxy's ssl_sock_switchctx_cbk picks. Pure: names in, index out.

/** name -> index of the first certificate that has it, exact and wildcard apart. */
export interface SniTable {
  readonly exact: ReadonlyMap<string, number>;
  readonly wildcard: ReadonlyMap<string, number>;
}

export function sniTable(certNames: readonly (readonly string[])[]): SniTable {
  const exact = new Map<string, number>();
  const wildcard = new Map<string, number>();
  certNames.forEach((names, i) => {
    for (const n of names) {
      const to = n.startsWith('*.') ? wildcard : exact;
      const key = n.startsWith('*.') ? n.slice(2) : n;
      if (!to.has(key)) to.set(key, i);
    }
  });
  return { exact, wildcard };
}

/** The certificate for `servername` (undefined when no SNI): 0 is the default one. */
export function pickCertificate(t: SniTable, servername: string | undefined): number {
  if (!servername) return 0;
  const name = servername.toLowerCase().replace(/\.$/, '');
  const hit = t.exact.get(name);
  if (hit !== undefined) return hit;
  const dot = name.indexOf('.');
  if (dot > 0) {
    const w = t.wildcard.get(name.slice(dot + 1));
    if (w !== undefined) return w;
  }
  return 0;
}
