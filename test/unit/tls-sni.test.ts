// Which certificate answers an SNI name (proxy/tls/sni.ts): exact names before wildcards,
// a wildcard covers one label only, the first certificate is the default, case-insensitive.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickCertificate, sniTable } from '../../src/proxy/tls/sni.js';

const t = sniTable([
  ['default.example'],
  ['*.a.example', 'a.example'],
  ['www.a.example'],
  ['*.a.example', 'b.example'],
]);

test('exact names win over wildcards, whatever the load order', () => {
  assert.equal(pickCertificate(t, 'www.a.example'), 2);
  assert.equal(pickCertificate(t, 'a.example'), 1);
  assert.equal(pickCertificate(t, 'b.example'), 3);
});

test('a wildcard covers one label: the first certificate that has it', () => {
  assert.equal(pickCertificate(t, 'x.a.example'), 1);
  assert.equal(pickCertificate(t, 'y.x.a.example'), 0);
});

test('no SNI or an unknown name gets the first certificate; case and a final dot do not matter', () => {
  assert.equal(pickCertificate(t, undefined), 0);
  assert.equal(pickCertificate(t, 'nowhere.test'), 0);
  assert.equal(pickCertificate(t, 'WWW.A.Example.'), 2);
});
