import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EmailSchema, RoleSchema, TeamIdSchema } from '../shared/schemas/common';
import { MemberNameSchema, TeamNameSchema } from '../shared/schemas/team';
import { silentLogger } from './deps';
import { EnvError, parseEnv } from './env';
import { AppError } from './errors';
import { connectDeps } from './runtime';
import { createServices } from './services';

/**
 * Bootstrap CLI. Works with or without a running server: on the embedded
 * default the database runner reuses the FerretDB a running server started
 * (DATA_DIR/ferretdb.json) instead of opening the same files twice.
 *
 *   npm run cli -- init --team <name> --admin <email> [--name <admin name>] [--json]
 *   npm run cli -- members add --team <teamId> --email <email> --role member|admin [--json]
 */
const USAGE = `Usage:
  npm run cli -- init --team <name> --admin <email> [--name <admin name>] [--json]
  npm run cli -- members add --team <teamId> --email <email> --role member|admin|super_admin [--json]`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      team: { type: 'string' },
      admin: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string', default: 'member' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals.join(' ');
  if (values.help || !['init', 'members add'].includes(command)) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }

  // Validate the arguments before touching the database.
  const request =
    command === 'init'
      ? { kind: 'init' as const, ...z.object({ team: TeamNameSchema, admin: EmailSchema, name: MemberNameSchema.optional() }).parse({ team: values.team ?? '', admin: values.admin, name: values.name }) }
      : { kind: 'add' as const, ...z.object({ team: TeamIdSchema, email: EmailSchema, role: RoleSchema, name: MemberNameSchema.optional() }).parse({ team: values.team, email: values.email, role: values.role, name: values.name }) };

  const env = parseEnv();
  const { database, deps, storage } = await connectDeps(env, { ...silentLogger, error: (m, e) => console.error(e ? `${m}: ${e instanceof Error ? e.message : String(e)}` : m) });
  const services = createServices(deps, storage.repos);
  const print = (json: Record<string, string>, human: string) => console.log(values.json ? JSON.stringify(json) : human);
  try {
    if (request.kind === 'init') {
      const created = await services.teams.createTeamWithAdmin({ teamName: request.team, adminEmail: request.admin, adminName: request.name });
      print(created, `Created team "${request.team}" (${created.teamId}) with super admin ${request.admin} (${created.userId}).`);
    } else {
      const added = await services.teams.addMember({ teamId: request.team, email: request.email, role: request.role, name: request.name });
      print(added, `Added ${request.email} (${added.userId}) to ${request.team} as ${request.role}.`);
    }
  } finally {
    await storage.database.close();
    await database.stop();
  }
}

main().catch((err) => {
  if (err instanceof z.ZodError) console.error(`${err.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}\n\n${USAGE}`);
  else if (err instanceof AppError || err instanceof EnvError) console.error(err.message);
  else console.error(`Failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
