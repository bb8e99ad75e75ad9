import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, generateToken } from '../../shared/key-format';
import { KeyNameSchema } from '../../shared/schemas/key';
import { CreateKeyRequestInput } from '../../shared/schemas/lifecycle';
import { MemberNameSchema, TeamNameSchema } from '../../shared/schemas/team';
import { WebhookCreateInput } from '../../shared/schemas/webhook';
import { countKeysNamed } from '../helpers/fixtures';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/** Issue 20, item 10: a name that holds a working key would carry its plaintext to everyone the name reaches. */
const REFUSED = 'must not contain an API key: names are shown to others (revoke the key if it is real)';

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail, but it succeeded');
    },
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw err;
  return { code: (err.data as { code: string }).code, message: err.message };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'names-hold-no-keys' });
});
afterAll(() => server?.close());

describe('a name holding a key', () => {
  it('is refused by every name schema, while a look-alike with a wrong checksum is a plain name', () => {
    const key = generateKey();
    const lookAlike = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    const schemas = [KeyNameSchema, TeamNameSchema, MemberNameSchema, CreateKeyRequestInput.shape.name, WebhookCreateInput.shape.description.unwrap()];
    for (const schema of schemas) {
      expect(schema.safeParse(`deploy ${key}`).error?.issues.map((i) => i.message)).toEqual([REFUSED]);
      expect(schema.safeParse(`${key}`).success).toBe(false);
      expect(schema.safeParse(`deploy ${lookAlike}`).success).toBe(true);
    }
  });

  it('is refused when the key is only hidden: invisible characters inside, another case or width, or letters glued to it', () => {
    const key = generateKey();
    const cut = (mark: string) => `${key.slice(0, 12)}${mark}${key.slice(12)}`;
    // Each shows the key to a reader (or to a copy and paste) as plainly as the key itself.
    const hidden = {
      zeroWidthSpace: cut('\u200B'),
      zeroWidthJoiner: cut('\u200D'),
      wordJoiner: cut('\u2060'),
      byteOrderMark: cut('\uFEFF'),
      softHyphen: cut('\u00AD'),
      leftToRightMark: cut('\u200E'),
      arabicLetterMark: cut('\u061C'),
      variationSelector: cut('\uFE0F'),
      combiningGraphemeJoiner: cut('\u034F'),
      tagSpace: cut('\u{E0020}'),
      twoMarks: `${key.slice(0, 5)}\u200B${key.slice(5, 20)}\u2060${key.slice(20)}`,
      upperCasePrefix: `KW_${key.slice(3)}`,
      fullWidthPrefix: `\uFF4B\uFF57\uFF3F${key.slice(3)}`,
      fullWidthBody: [...key].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join(''),
      gluedBefore: `x_${key}`,
      gluedAfter: `${key}x`,
    };
    for (const [how, name] of Object.entries(hidden)) {
      expect({ how, issues: KeyNameSchema.safeParse(`deploy ${name}`).error?.issues.map((i) => i.message) }).toEqual({ how, issues: [REFUSED] });
      expect({ how, ok: TeamNameSchema.safeParse(name).success }).toEqual({ how, ok: false });
    }
    // Names with such characters and no key in them stay names (an emoji sequence joins with U+200D).
    for (const name of ['deploy \u{1F468}\u200D\u{1F469}\u200D\u{1F467}', 'caf\u00E9 \uFF21\uFF22', `KW_${key.slice(3, -1)}`]) expect(KeyNameSchema.safeParse(name).success).toBe(true);
  });

  it('answers keys.create, keyRequests.create, webhooks.create and tokens.create with a 400 naming the field, and stores nothing', async () => {
    const team = await createTeam(server, 'Names');
    const member = await team.addUser('member');
    const name = `ci (${generateKey()})`;

    expect(await rejection(team.admin.api.keys.create.mutate({ teamId: team.teamId, name }))).toEqual({ code: 'BAD_REQUEST', message: `name: ${REFUSED}` });
    expect(await countKeysNamed(server, team.teamId, name)).toBe(0);

    await team.admin.api.settings.update.mutate({ teamId: team.teamId, allowMemberKeyGeneration: false });
    expect(await rejection(member.api.keyRequests.create.mutate({ teamId: team.teamId, name, reason: 'deploys' }))).toEqual({ code: 'BAD_REQUEST', message: `name: ${REFUSED}` });
    expect(await team.admin.api.keyRequests.list.query({ teamId: team.teamId })).toEqual([]);

    const hook = { teamId: team.teamId, url: 'https://hooks.example.test/keywarden', events: ['key.created' as const], description: name };
    expect(await rejection(team.admin.api.webhooks.create.mutate(hook))).toEqual({ code: 'BAD_REQUEST', message: `description: ${REFUSED}` });
    expect(await team.admin.api.webhooks.list.query({ teamId: team.teamId })).toEqual([]);

    // A team API token's name too, whether it holds a key or another token.
    for (const tokenName of [name, `ci (${generateToken()})`]) {
      expect(await rejection(team.admin.api.tokens.create.mutate({ teamId: team.teamId, name: tokenName, scopes: ['keys:read'] }))).toEqual({ code: 'BAD_REQUEST', message: `name: ${REFUSED}` });
    }
    expect(await team.admin.api.tokens.list.query({ teamId: team.teamId })).toEqual([]);
  });
});
