import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launcherHash } from '../../server/db/ferretdb';
import { applyUnifiedDiff } from '../../server/db/unified-diff';

/** How the embedded FerretDB is built: the patch applier (no `patch` binary needed) and the build cache key. */
const scratch = mkdtempSync(join(tmpdir(), 'keywarden-build-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let trees = 0;
function tree(files: Record<string, string>): string {
  const root = join(scratch, `tree${++trees}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const lines = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `line ${i + from}`).join('\n') + '\n';

const EDIT = `--- a/src/a.txt\t2024-01-01 00:00:00\n+++ b/src/a.txt\t2024-01-01 00:00:00\n@@ -4,3 +4,4 @@\n line 4\n-line 5\n+line five\n+line 5.5\n line 6\n`;
const CREATE = `--- /dev/null\n+++ b/src/new.go\n@@ -0,0 +1,2 @@\n+package x\n+// new\n`;

describe('applyUnifiedDiff', () => {
  it('edits a file and creates another, as `patch -p1` would', () => {
    const root = tree({ 'src/a.txt': lines(10) });
    expect(applyUnifiedDiff(root, `A header line\n\n${EDIT}${CREATE}`)).toEqual(['src/a.txt', 'src/new.go']);
    expect(readFileSync(join(root, 'src/a.txt'), 'utf8')).toBe(lines(4) + 'line five\nline 5.5\n' + lines(5, 6));
    expect(readFileSync(join(root, 'src/new.go'), 'utf8')).toBe('package x\n// new\n');
  });

  it('finds a hunk whose lines moved, but never fuzzes its context', () => {
    const moved = tree({ 'src/a.txt': 'inserted above\n'.repeat(3) + lines(10) });
    applyUnifiedDiff(moved, EDIT);
    expect(readFileSync(join(moved, 'src/a.txt'), 'utf8')).toContain('line 4\nline five\nline 5.5\nline 6\n');

    const changed = tree({ 'src/a.txt': lines(10).replace('line 6', 'line six') });
    expect(() => applyUnifiedDiff(changed, EDIT)).toThrow(/does not match/);
  });

  it('writes nothing when any part fails', () => {
    const root = tree({ 'src/a.txt': lines(10), 'src/new.go': 'already here\n' });
    expect(() => applyUnifiedDiff(root, EDIT + CREATE)).toThrow(/already exists/);
    expect(readFileSync(join(root, 'src/a.txt'), 'utf8')).toBe(lines(10));
  });

  it('refuses paths outside the tree and text that is no diff', () => {
    const root = tree({ 'a.txt': 'x\n' });
    expect(() => applyUnifiedDiff(root, '--- /dev/null\n+++ b/../escape.txt\n@@ -0,0 +1 @@\n+x\n')).toThrow(/outside the tree/);
    expect(existsSync(join(scratch, 'escape.txt'))).toBe(false);
    expect(() => applyUnifiedDiff(root, 'just words\n')).toThrow(/no file changes/);
  });
});

describe('the launcher build cache key', () => {
  const launcher = resolve(__dirname, '../../tools/ferretdb');

  it('changes with the patch and the Go sources, not with the docs', () => {
    const copy = join(scratch, 'launcher');
    cpSync(launcher, copy, { recursive: true });
    const first = launcherHash(copy);
    expect(launcherHash(launcher)).toBe(first);
    appendFileSync(join(copy, 'PUSHDOWN.md'), '\nmore words\n');
    expect(launcherHash(copy)).toBe(first);
    appendFileSync(join(copy, 'sqlite-pushdown.patch'), '\n');
    const patched = launcherHash(copy);
    expect(patched).not.toBe(first);
    appendFileSync(join(copy, 'main.go'), '\n');
    expect(launcherHash(copy)).not.toBe(patched);
  });
});
