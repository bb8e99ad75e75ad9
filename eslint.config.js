// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Lint for the whole tree, run by `npm test` right after the typecheck (`npm run lint` alone).
 * Beyond the recommended TypeScript rules, the `[layers]` rules encode STYLE.md's "Who may import
 * whom" table: an import that skips a layer fails the build with a message naming the rule.
 * Each folder gets exactly one `no-restricted-imports` entry (flat config does not merge a rule's
 * options: the last matching entry wins), so the folder globs below never overlap.
 */

const STYLE = "(STYLE.md, 'Who may import whom')";
const DRIVER = { name: 'mongodb', message: `[layers] only server/db/ may import the mongodb driver; ask a repo ${STYLE}.` };
const HTTP_FRAMEWORKS = [
  { group: ['hono', 'hono/*', '@hono/*'], message: `[layers] services know nothing of HTTP: Hono belongs to server/http and app.ts ${STYLE}.` },
  { group: ['@trpc/*'], message: `[layers] services know nothing of tRPC: it belongs to server/trpc ${STYLE}.` },
];

/** `@typescript-eslint/no-restricted-imports` with the given paths and patterns. */
const restrict = (paths, patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  {
    ignores: ['node_modules/', '.output/', '.wxt/', 'data/', 'test-results/', 'tools/', 'docs/', 'bench/results/', 'sdk/dist/', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      // The typecheck already reports undefined names, with the DOM, Node and WebExtension types in view.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },

  {
    // Browser-side callbacks (page.evaluate, chrome.* in the service worker) are typed loosely on purpose.
    files: ['test/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // ---- [layers]: who may import whom --------------------------------------------------------
  {
    files: ['shared/**/*.ts'],
    rules: restrict(
      [],
      [
        { group: ['**/server/**', '**/server'], message: `[layers] shared/ is used by the server and the extension, so it imports neither ${STYLE}.` },
        { group: ['**/extension/**', '**/extension'], message: `[layers] shared/ is used by the server and the extension, so it imports neither ${STYLE}.` },
        { regex: '^(?!zod($|/)|\\.)', message: `[layers] shared/ may import only zod and itself ${STYLE}.` },
      ],
    ),
  },
  {
    files: ['server/trpc/**/*.ts', 'server/http/**/*.ts'],
    rules: restrict(
      [DRIVER],
      [{ group: ['**/db/**', '**/db'], message: `[layers] router -> service -> repo: routers and plain routes call services, never server/db (not even its types) ${STYLE}.` }],
    ),
  },
  {
    files: ['server/services/**/*.ts'],
    rules: restrict(
      [DRIVER],
      [
        ...HTTP_FRAMEWORKS,
        { group: ['**/db/collections'], message: `[layers] services get repos, never collections or document shapes ${STYLE}.` },
        // db/effective-status.ts is the one home of a rule services apply in memory too (STYLE.md: "export the first").
        { group: ['**/db/**', '!**/db/collections', '!**/db/effective-status'], allowTypeImports: true, message: `[layers] services get repos as passed in (createServices), so they import only types from server/db ${STYLE}.` },
        { group: ['**/trpc/**', '**/http/**'], message: `[layers] services are called by routers, never the other way round ${STYLE}.` },
      ],
    ),
  },
  {
    files: ['server/db/**/*.ts'],
    rules: restrict(
      [],
      [
        { group: ['**/services/**', '**/trpc/**', '**/http/**', '**/jobs/**'], message: `[layers] server/db is the bottom layer: it never imports services, routers or jobs ${STYLE}.` },
        ...HTTP_FRAMEWORKS,
      ],
    ),
  },
  {
    files: ['server/jobs/**/*.ts', 'server/seed.ts', 'server/cli.ts'],
    rules: restrict(
      [DRIVER],
      [{ group: ['**/db/**', '**/db'], message: `[layers] jobs, the seed and the CLI go through services, never repos or collections ${STYLE}.` }],
    ),
  },
  {
    files: ['server/lib/**/*.ts', 'server/mail/**/*.ts', 'server/*.ts'],
    ignores: ['server/seed.ts', 'server/cli.ts'],
    rules: restrict([DRIVER], []),
  },
  {
    files: ['extension/**/*.{ts,tsx}'],
    rules: restrict(
      [],
      [{ group: ['**/server/**', '**/server'], allowTypeImports: true, message: `[layers] the extension imports \`type { AppRouter }\` only: no server code is bundled into it ${STYLE}.` }],
    ),
  },
);
