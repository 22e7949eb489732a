// Picks the probe a backend's check config asks for: TCP connect, HTTP, or SSL hello.

import type { HealthCheckConfig } from '../../config/haproxy/model.js';
import { httpProbe, planHttpCheck } from './http-probe.js';
import type { Probe } from './probe.js';
import { tcpProbe } from './probe.js';
import { sslHelloProbe } from './ssl-hello-probe.js';

export function createProbe(cfg: HealthCheckConfig): Probe {
  switch (cfg.type) {
    case 'http':
      return httpProbe(planHttpCheck(cfg));
    case 'ssl-hello':
      return sslHelloProbe;
    default:
      return tcpProbe;
  }
}
