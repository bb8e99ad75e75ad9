import type { Database } from './db/client';
import type { Collections } from './db/collections';
import type { Mailer } from './mail/mailer';

/** Everything a service may touch, passed in as one object (tests build their own). */
export interface Deps {
  database: Database;
  cols: Collections;
  mailer: Mailer;
  /** HMAC secret for key hashes; from configuration, never from the database. */
  pepper: string;
  now: () => Date;
  log: Logger;
  config: {
    publicUrl: string;
    authCodeLimitPerEmail: number;
    authCodeLimitPerIp: number;
    authCodeWindowMinutes: number;
    trustProxy: boolean;
    /** Extension origins CORS admits; null admits any chrome-extension:// origin. */
    extensionOrigins: string[] | null;
  };
}

export interface Logger {
  info(msg: string): void;
  error(msg: string, err?: unknown): void;
}

export const consoleLogger: Logger = {
  info: (msg) => console.log(`[keywarden] ${msg}`),
  error: (msg, err) => console.error(`[keywarden] ${msg}${err instanceof Error ? `: ${err.message}` : err ? `: ${String(err)}` : ''}`),
};

export const silentLogger: Logger = { info: () => {}, error: () => {} };
