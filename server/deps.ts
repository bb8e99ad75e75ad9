import type { Mailer } from './mail/mailer';
import { CONTROL_OR_BIDI } from '../shared/schemas/common';

/**
 * What every service may use besides its repos, passed in as one object. The data layer is not
 * here on purpose: services get repos (createServices), never collections or the driver.
 */
export interface Deps {
  mailer: Mailer;
  /** HMAC secret for key hashes; from configuration, never from the database. */
  pepper: string;
  now: () => Date;
  log: Logger;
  config: {
    publicUrl: string;
    authCodeLimitPerEmail: number;
    authCodeLimitPerEmailIp: number;
    authCodeLimitPerIp: number;
    /** Wrong code checks per email per UTC day, after which sign-in by code pauses until the next day. */
    authCodeFailedLimitPerDay: number;
    authCodeWindowMinutes: number;
    trustProxy: boolean;
    /** Extension origins CORS admits; null admits any chrome-extension:// origin. */
    extensionOrigins: string[] | null;
    /** GitHub's secret-scanning signing keys (GITHUB_SECRET_SCANNING_KEYS_URL); absent means GitHub's own endpoint. */
    githubSecretScanningKeysUrl?: string;
  };
}

export interface Logger {
  info(msg: string): void;
  error(msg: string, err?: unknown): void;
}

const CONTROL_OR_BIDI_ALL = new RegExp(CONTROL_OR_BIDI.source, 'g');
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Escapes control and bidi characters JSON-style (`\n`, `\u001b`, `\u202e`), so text that came
 * from a user (a key name in a mail subject, a driver message) can neither start a forged line
 * nor recolour or reorder the console.
 */
export function escapeForLog(text: string): string {
  return text.replace(CONTROL_OR_BIDI_ALL, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One escaped line per call. The dev mailer's console summary goes through `info` too (runtime.ts). */
export const consoleLogger: Logger = {
  info: (msg) => console.log(`[keywarden] ${escapeForLog(msg)}`),
  error: (msg, err) => console.error(`[keywarden] ${escapeForLog(`${msg}${err instanceof Error ? `: ${err.message}` : err ? `: ${String(err)}` : ''}`)}`),
};

export const silentLogger: Logger = { info: () => {}, error: () => {} };
