// `npm test`: everything, in order — typecheck, build the extension, then the
// unit, integration and end-to-end projects against real components.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureChromium } from './ensure-chromium.mjs';

const run = (label, cmd, args, env = {}) => {
  console.log(`\n[test] ${label}: ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`[test] ${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
};

ensureChromium();
run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
run('build extension', 'npx', ['wxt', 'build']);
mkdirSync('test-results', { recursive: true });
const extra = process.argv.slice(2);
const vitest = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json', ...extra], {
  stdio: 'inherit',
});
try {
  const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed${report.numPendingTests ? `, ${report.numPendingTests} skipped` : ''}`);
} catch {
  console.log('\n[test] no test report was written');
}
process.exit(vitest.status ?? 1);
