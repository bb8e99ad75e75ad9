// The Firefox add-on: `node scripts/firefox.mjs lint [--json]` builds it (`wxt build -b firefox`,
// into .output/firefox-mv3 or under EXTENSION_OUT_DIR) and runs Mozilla's linter over it offline,
// as web-ext does before a submission. Exits 1 on any lint error; warnings are printed, not fatal.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import webExt from 'web-ext';

export const FIREFOX_DIR = resolve(process.env.EXTENSION_OUT_DIR || '.output', 'firefox-mv3');

export function buildFirefox() {
  const build = spawnSync('npx', ['wxt', 'build', '-b', 'firefox'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`wxt build -b firefox failed (exit ${build.status ?? build.signal}):\n${build.stdout}\n${build.stderr}`);
  return FIREFOX_DIR;
}

/** addons-linter through web-ext's API: `{ errors, warnings, notices }`, each `{ code, message, file }`. */
export async function lintFirefox(sourceDir = FIREFOX_DIR) {
  const result = await webExt.cmd.lint({ sourceDir, output: 'none', boring: true }, { shouldExitProgram: false });
  const pick = (list) => list.map(({ code, message, file }) => ({ code, message, file: file ?? null }));
  return { errors: pick(result.errors), warnings: pick(result.warnings), notices: pick(result.notices) };
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'lint') {
  const dir = buildFirefox();
  const result = await lintFirefox(dir);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ dir, ...result }));
  else {
    for (const level of ['errors', 'warnings', 'notices']) for (const m of result[level]) console.log(`${level.slice(0, -1)} ${m.code} ${m.file ?? ''}: ${m.message}`);
    console.log(`web-ext lint ${dir}: ${result.errors.length} errors, ${result.warnings.length} warnings, ${result.notices.length} notices`);
  }
  process.exit(result.errors.length ? 1 : 0);
}
