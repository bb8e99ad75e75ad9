// `npm test`: everything, in order — typecheck, lint (layer rules: eslint.config.js), build the extension, then the
// unit, integration and end-to-end projects against real components.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium } from './ensure-chromium.mjs';
import { ensureFirefox } from './ensure-firefox.mjs';

const run = (label, cmd, args, env = {}) => {
  console.log(`\n[test] ${label}: ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`[test] ${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
};

ensureChromium();
ensureFirefox();
run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
run('lint', 'npx', ['eslint', '.']);
run('build extension', 'npx', ['wxt', 'build']);
// The bundle that ships must not carry the worker handle of the e2e tests (their own build, made by
// test/helpers/e2e-extension.ts with WXT_E2E_HOOK=1, does).
const shipped = join(process.env.EXTENSION_OUT_DIR || '.output', 'chrome-mv3');
const withHandle = readdirSync(shipped, { recursive: true }).filter((f) => String(f).endsWith('.js') && readFileSync(join(shipped, String(f)), 'utf8').includes('menuClick'));
if (withHandle.length > 0) {
  console.error(`[test] the shipped extension carries the e2e test handle (${withHandle.join(', ')}).`);
  process.exit(1);
}
mkdirSync('test-results', { recursive: true });
// A report left by an earlier run must not be read as this run's.
const REPORT = 'test-results/vitest.json';
rmSync(REPORT, { force: true });
const extra = process.argv.slice(2);
const vitest = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...extra], {
  stdio: 'inherit',
});
try {
  const report = JSON.parse(readFileSync(REPORT, 'utf8'));
  // Errors outside any test (an unhandled rejection, a failed hook) fail the run without failing a test.
  const outside = vitest.status !== 0 && report.numFailedTests === 0 ? ` (vitest exited with ${vitest.status ?? vitest.signal}: see the errors above)` : '';
  console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed${report.numPendingTests ? `, ${report.numPendingTests} skipped` : ''}${outside}`);
} catch {
  console.log('\n[test] no test report was written');
}
process.exit(vitest.status ?? 1);
