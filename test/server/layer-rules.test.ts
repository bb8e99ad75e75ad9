import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The `[layers]` rules of eslint.config.js encode STYLE.md's "Who may import whom": an import
 * that skips a layer fails `npm test` (lint runs right after the typecheck) with a message
 * naming the rule. Each case lints one line as if it were written in that folder.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['a router importing the driver', 'server/trpc/routers/keys.router.ts', "import { MongoClient } from 'mongodb';", 'only server/db/ may import the mongodb driver'],
    ['a router importing a repo', 'server/trpc/routers/keys.router.ts', "import { keysRepo } from '../../db/keys.repo';", 'routers and plain routes call services, never server/db'],
    ['a plain route importing a repo type', 'server/http/csv.routes.ts', "import type { AuditRecord } from '../db/audit.repo';", 'routers and plain routes call services, never server/db'],
    ['a service importing collections', 'server/services/keys.service.ts', "import type { Collections } from '../db/collections';", 'services get repos, never collections'],
    ['a service building a repo', 'server/services/keys.service.ts', "import { keysRepo } from '../db/keys.repo';", 'services get repos as passed in'],
    ['a service importing Hono', 'server/services/keys.service.ts', "import { Hono } from 'hono';", 'services know nothing of HTTP'],
    ['a job importing a repo', 'server/jobs/index.ts', "import { authRepo } from '../db/auth.repo';", 'jobs, the seed and the CLI go through services'],
    ['the seed importing a repo', 'server/seed.ts', "import { keysRepo } from './db/keys.repo';", 'jobs, the seed and the CLI go through services'],
    ['the data layer importing a service', 'server/db/keys.repo.ts', "import { keysService } from '../services/keys.service';", 'server/db is the bottom layer'],
    ['shared importing server code', 'shared/schemas/key.ts', "import { AppError } from '../../server/errors';", 'shared/ is used by the server and the extension'],
    ['the extension importing server code', 'extension/lib/api.ts', "import { createApp } from '../../server/app';", 'the extension imports `type { AppRouter }` only'],
  ])('refuses %s, naming the rule', async (_what, filePath, code, expected) => {
    const errors = await layerErrors(filePath, code);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain('[layers]');
    expect(errors.join('\n')).toContain(expected);
  });

  it.each([
    ['a service importing a repo type', 'server/services/keys.service.ts', "import type { KeysRepo } from '../db/keys.repo';"],
    ['a service using the effective-status rule', 'server/services/keys.service.ts', "import { effectiveStatus } from '../db/effective-status';"],
    ['a repo importing the driver', 'server/db/keys.repo.ts', "import type { Filter } from 'mongodb';"],
    ['the extension importing the router type', 'extension/lib/api.ts', "import type { AppRouter } from '../../server/trpc/router';"],
  ])('allows %s', async (_what, filePath, code) => {
    expect(await layerErrors(filePath, code)).toEqual([]);
  });
});
