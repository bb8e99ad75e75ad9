// `npm start`: build the extension, then run the server (which starts the
// embedded database unless MONGODB_URI is set). Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

console.log('[start] building the extension…');
const build = spawnSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('[start] the extension build failed; run `npx wxt build` to see why.');
  process.exit(1);
}
const extensionDir = resolve(process.env.EXTENSION_OUT_DIR || '.output', 'chrome-mv3');

const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
server.stdout.setEncoding('utf8').on('data', (chunk) => {
  process.stdout.write(chunk);
  if (chunk.includes('listening on')) {
    console.log(
      `\n  Next steps:\n` +
        `  1. Open chrome://extensions, turn on Developer mode, "Load unpacked" -> ${extensionDir}\n` +
        `  2. In the extension's options, set the server URL shown above and sign in with the emailed code.\n` +
        `  3. Ctrl-C here stops the server and the database.\n`,
    );
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
