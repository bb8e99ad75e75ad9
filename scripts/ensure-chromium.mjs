// Makes sure Debian's Chromium is there for the end-to-end tests: installs it
// when we can (root with apt-get), otherwise stops with the exact command.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    console.log('[test] Chromium is missing; installing Debian\'s chromium (apt-get install -y chromium)…');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
    if (existsSync(CHROMIUM)) return CHROMIUM;
  }
  console.error('[test] The end-to-end tests need Chromium at /usr/bin/chromium. Install it with:\n\n    sudo apt-get update && sudo apt-get install -y chromium\n\n(or set CHROMIUM_PATH to a Chromium binary).');
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) ensureChromium();
