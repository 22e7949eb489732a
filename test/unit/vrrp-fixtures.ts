// Loads the byte vectors captured from Keepalived 2.2.7 (test/fixtures/vrrp/*.hex).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function fixtureDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'test', 'fixtures', 'vrrp');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('test/fixtures/vrrp not found');
}

export const VRRP_FIXTURE_DIR = fixtureDir();

export function readHexFixture(name: string): Uint8Array {
  const text = readFileSync(join(VRRP_FIXTURE_DIR, `${name}.hex`), 'utf8');
  const hex = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

export function hexFixtureNames(): string[] {
  return readdirSync(VRRP_FIXTURE_DIR)
    .filter((f) => f.endsWith('.hex') && !f.startsWith('garp'))
    .map((f) => f.slice(0, -4));
}

export function readLogFixture(name: string): string[] {
  return readFileSync(join(VRRP_FIXTURE_DIR, 'logs', `${name}.log`), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\w{3} \w{3} +\d+ [\d:]+ \d{4}: /, ''));
}
