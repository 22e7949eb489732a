// The fake kube-apiserver's TLS certificate: a fresh self-signed one from openssl when it is
// on PATH, else a fixed lab-only pair kept here. The fallback's key is public (it is in this
// file), so it only ever serves the lab's own namespaces, never anything a user trusts; the
// probe does not verify certificates (kubectl with --insecure-skip-tls-verify does the same).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SUBJECT_ALT =
  'subjectAltName=DNS:kubernetes,IP:198.51.100.100,IP:198.51.100.11,IP:198.51.100.12,IP:198.51.100.13';

const FALLBACK_KEY = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMduASmJoWktgUXqP
S24omN0VL/6+609rS0DIZdga5tShRANCAAQMMBqILh+261BXkitp1AZkxJLVaJN/
EmNXufu0ysL+yNJ0h35HSpnzCXQrqitOa5S4xhVMTtV965heit/DXnGD
-----END PRIVATE KEY-----
`;

const FALLBACK_CERT = `
-----BEGIN CERTIFICATE-----
MIIBuTCCAWCgAwIBAgIUQZF1tGSIWa7vTkGk49+kR3h3xs8wCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOa3ViZS1hcGlzZXJ2ZXIwIBcNMjYxMjAzMTcyMjUzWhgPMjEy
NjExMDkxNzIyNTNaMBkxFzAVBgNVBAMMDmt1YmUtYXBpc2VydmVyMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEDDAaiC4ftutQV5IradQGZMSS1WiTfxJjV7n7tMrC
/sjSdId+R0qZ8wl0K6orTmuUuMYVTE7VfeuYXorfw15xg6OBgzCBgDAdBgNVHQ4E
FgQUmwceqXjLDd1p+Rk4CWR082eXVqAwHwYDVR0jBBgwFoAUmwceqXjLDd1p+Rk4
CWR082eXVqAwDwYDVR0TAQH/BAUwAwEB/zAtBgNVHREEJjAkggprdWJlcm5ldGVz
hwTGM2RkhwTGM2QLhwTGM2QMhwTGM2QNMAoGCCqGSM49BAMCA0cAMEQCIELwZc7v
hK0ISzekRX8+Ndfht1Q/3Nhy81BpVX3A5STbAiAeYZUMZlEWeJEZxg8uXYjaNwdB
CKPDnnH31HRcyifXrQ==
-----END CERTIFICATE-----
`;

export interface LabCert {
  readonly key: string;
  readonly cert: string;
  /** 'openssl' (generated now) or 'built-in' (the fixed lab-only pair above). */
  readonly source: 'openssl' | 'built-in';
}

/** Writes key.pem and cert.pem into dir and says where they came from. */
export function makeLabCert(dir: string): LabCert {
  const key = join(dir, 'apiserver-key.pem');
  const cert = join(dir, 'apiserver-cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '30',
        '-subj',
        '/CN=kube-apiserver',
        '-addext',
        SUBJECT_ALT,
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
    return { key, cert, source: 'openssl' };
  } catch {
    writeFileSync(key, FALLBACK_KEY.trimStart(), { mode: 0o600 });
    writeFileSync(cert, FALLBACK_CERT.trimStart());
    return { key, cert, source: 'built-in' };
  }
}
