// The digest of the addon's sources that prebuilds/SOURCE.sha256 records.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './node-gyp.mjs';

export function sourceDigest() {
  const h = createHash('sha256');
  for (const f of ['binding.gyp', join('native', 'halo_os.c')]) {
    h.update(`${f}\n`);
    h.update(readFileSync(join(ROOT, f)));
  }
  return h.digest('hex');
}
