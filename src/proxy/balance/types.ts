// The balancing port: what every algorithm sees of a server, and the one interface they share.
// Pure: no clock, no sockets. The runtime mutates `up`, `weight` and `conns` and tells the
// balancer through serverUp/serverDown/weightChanged (HAProxy's lb_ops callbacks).

export interface BalanceServer {
  /** Position in the backend, in config order (HAProxy's puid order). */
  readonly id: number;
  readonly name: string;
  /** Current effective weight (0..256); 0 means never picked. */
  weight: number;
  readonly backup: boolean;
  /** Operational: health checks say UP and the server is not in maintenance (`disabled`). */
  up: boolean;
  /** Connections currently served by this server. */
  conns: number;
  /** Server `maxconn`; 0 = unlimited. */
  maxconn: number;
}

export interface PickContext {
  /** Client address for hash-based algorithms (`source`). */
  readonly clientAddress?: string | undefined;
  /** A server to avoid if another one is usable (`option redispatch`). */
  readonly avoid?: BalanceServer | undefined;
}

export interface Balancer {
  /** The server for a new connection, or undefined when none is usable or all are full. */
  pick(ctx?: PickContext): BalanceServer | undefined;
  serverUp(s: BalanceServer): void;
  serverDown(s: BalanceServer): void;
  weightChanged(s: BalanceServer): void;
}

export interface BalancerOptions {
  /** `option allbackups`: balance over every usable backup instead of the first one. */
  readonly allbackups?: boolean;
  /** `random(N)`: draws per pick. */
  readonly draws?: number;
  /** Random source in [0, 1); injected for tests. */
  readonly random?: () => number;
}

export type BalancerFactory = (
  servers: readonly BalanceServer[],
  opts: BalancerOptions,
) => Balancer;

/** A server that may take a connection now (HAProxy's srv_currently_usable plus a free slot). */
export function isFull(s: BalanceServer): boolean {
  return s.maxconn > 0 && s.conns >= s.maxconn;
}
