import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The HMAC pepper for key hashes comes from configuration, never the database:
 * a database dump alone cannot test guesses. On the embedded default one is
 * generated once into DATA_DIR; with MONGODB_URI it must be configured, since
 * every instance has to share it.
 */
export function resolvePepper(options: { configured?: string; mongodbUri?: string; dataDir: string }): string {
  if (options.configured) return options.configured;
  if (options.mongodbUri) {
    throw new Error('KEYWARDEN_PEPPER: required when MONGODB_URI is set (every server instance must share it; use 32+ random characters).');
  }
  const file = join(options.dataDir, 'pepper');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const pepper = randomBytes(32).toString('base64url');
  writeFileSync(file, pepper, { mode: 0o600 });
  return pepper;
}
