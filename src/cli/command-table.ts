// The `halo` subcommands by name, each loaded on use (main.ts runs them, help lists them).

import type { Command } from './command.js';

/**
 * Each command's module loads only when it runs: `halo proxy` then never reads the
 * keepalived parser, the VRRP engine or the demo, and listens sooner (start-up time is
 * mostly module loading).
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'check',
    summary: 'check haproxy.cfg / keepalived.conf files (like haproxy -c, keepalived -t)',
    load: async () => (await import('./commands/check.js')).checkCommand,
  },
  {
    name: 'init',
    summary: "write every master's haproxy.cfg and keepalived.conf for an apiserver VIP",
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    name: 'plan',
    summary: 'check a group of nodes against each other and print its failover matrix',
    load: async () => (await import('./commands/plan.js')).planCommand,
  },
  {
    name: 'run',
    summary: 'run a whole node: the proxy and VRRP with built-in trackers (halo run)',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'handover',
    summary: 'move the VIP of a running halo run group to NODE for maintenance (runtime API)',
    load: async () => (await import('./commands/handover.js')).handoverCommand,
  },
  {
    name: 'drill',
    summary: 'inject a fault on this halo run node, probe the VIP, print the blackout, restore',
    load: async () => (await import('./commands/drill.js')).drillCommand,
  },
  {
    name: 'proxy',
    summary: 'run the load balancer from haproxy.cfg (HAProxy command line)',
    load: async () => (await import('./commands/proxy.js')).proxyCommand,
  },
  {
    name: 'vrrp',
    summary: "run keepalived.conf's VRRP instances (Keepalived 2.2 on the wire)",
    load: async () => (await import('./commands/vrrp.js')).vrrpCommand,
  },
  {
    name: 'probe',
    summary: 'connect to HOST:PORT every 10 ms as a client would and print each blackout',
    load: async () => (await import('./commands/probe.js')).probeCommand,
  },
  {
    name: 'lab',
    summary: "the article's cluster in network namespaces, without root (up, fail, recover...)",
    load: async () => (await import('./commands/lab.js')).labCommand,
  },
  {
    name: 'demo',
    summary: "the article's system on loopback: check its configs, run its haproxy.cfg (npm start)",
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
];
