import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/**
 * Applies a unified diff (`diff -u` / `git diff` output) to the files under
 * `root`: what the FerretDB build needs, so it depends on neither `patch` nor
 * `git`. Strict: every hunk's context must match the file exactly (a hunk may
 * have moved, as with `patch`'s offset, but is never fuzzed), and any mismatch
 * throws before a single file is written.
 */
interface Hunk {
  oldStart: number;
  old: string[];
  new: string[];
}

interface FilePatch {
  path: string;
  create: boolean;
  hunks: Hunk[];
}

export function applyUnifiedDiff(root: string, diff: string): string[] {
  const files = parse(diff);
  const results = files.map((f) => {
    const target = join(root, f.path);
    if (f.create && existsSync(target)) throw new Error(`patch: ${f.path} already exists`);
    const before = f.create ? [] : splitLines(readFileSync(target, 'utf8'));
    return { target, text: applyHunks(f, before).join('\n') + '\n' };
  });
  for (const r of results) {
    mkdirSync(dirname(r.target), { recursive: true });
    writeFileSync(r.target, r.text);
  }
  return files.map((f) => f.path);
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function parse(diff: string): FilePatch[] {
  const lines = splitLines(diff);
  const files: FilePatch[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!lines[i]!.startsWith('--- ') || !lines[i + 1]?.startsWith('+++ ')) {
      i++;
      continue;
    }
    const from = pathOf(lines[i]!);
    const to = pathOf(lines[i + 1]!);
    const file: FilePatch = { path: safePath(to ?? from!), create: from === null, hunks: [] };
    i += 2;
    while (i < lines.length && lines[i]!.startsWith('@@ ')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]!);
      if (!m) throw new Error(`patch: bad hunk header: ${lines[i]}`);
      let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      let newLeft = m[4] === undefined ? 1 : Number(m[4]);
      const hunk: Hunk = { oldStart: Number(m[1]), old: [], new: [] };
      i++;
      while (oldLeft > 0 || newLeft > 0) {
        const line = lines[i++];
        if (line === undefined) throw new Error(`patch: ${file.path}: hunk ends early`);
        if (line.startsWith('\\')) continue;
        const body = line.slice(1);
        if (line[0] === ' ' || line === '') {
          hunk.old.push(body);
          hunk.new.push(body);
          oldLeft--;
          newLeft--;
        } else if (line[0] === '-') {
          hunk.old.push(body);
          oldLeft--;
        } else if (line[0] === '+') {
          hunk.new.push(body);
          newLeft--;
        } else throw new Error(`patch: ${file.path}: unexpected line in hunk: ${line}`);
      }
      while (lines[i]?.startsWith('\\')) i++;
      file.hunks.push(hunk);
    }
    if (file.hunks.length === 0) throw new Error(`patch: ${file.path}: no hunks`);
    files.push(file);
  }
  if (files.length === 0) throw new Error('patch: no file changes found');
  return files;
}

/** `--- a/x/y.go<TAB>date` -> `x/y.go`; `/dev/null` -> null. */
function pathOf(header: string): string | null {
  const raw = header.slice(4).split('\t')[0]!.trim();
  if (raw === '/dev/null') return null;
  return raw.replace(/^[ab]\//, '');
}

function safePath(path: string): string {
  const p = normalize(path);
  if (p.startsWith('..') || p.startsWith('/')) throw new Error(`patch: refusing path outside the tree: ${path}`);
  return p;
}

function applyHunks(file: FilePatch, before: string[]): string[] {
  const out = [...before];
  let shift = 0;
  for (const h of file.hunks) {
    // A hunk with no old lines inserts after line `oldStart` (0: at the top).
    const at = h.old.length === 0 ? h.oldStart + shift : findBlock(out, h.old, Math.max(0, h.oldStart - 1 + shift));
    if (at < 0 || at > out.length) throw new Error(`patch: ${file.path}: hunk at line ${h.oldStart} does not match the file`);
    out.splice(at, h.old.length, ...h.new);
    shift += h.new.length - h.old.length;
  }
  return out;
}

/** The exact block nearest to `want`, or -1. */
function findBlock(lines: string[], block: string[], want: number): number {
  const matches = (at: number) => at >= 0 && at + block.length <= lines.length && block.every((l, k) => lines[at + k] === l);
  for (let d = 0; d <= lines.length; d++) {
    if (matches(want - d)) return want - d;
    if (matches(want + d)) return want + d;
  }
  return -1;
}
