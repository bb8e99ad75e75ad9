// Makes sure Debian's Firefox ESR is there for the Firefox smoke test (test/e2e/firefox.test.ts):
// installs it when we can (root with apt-get), otherwise stops with the exact command, like Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

export function ensureFirefox() {
  if (existsSync(FIREFOX)) return FIREFOX;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    console.log("[test] Firefox ESR is missing; installing Debian's firefox-esr (apt-get install -y firefox-esr)…");
    const result = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr'], { stdio: 'inherit' });
    if (result.status === 0 && existsSync(FIREFOX)) return FIREFOX;
  }
  console.error('[test] The Firefox smoke test needs Firefox ESR at /usr/bin/firefox-esr. Install it with:\n\n    sudo apt-get update && sudo apt-get install -y firefox-esr\n\n(or set FIREFOX_PATH to a Firefox binary).');
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) ensureFirefox();
