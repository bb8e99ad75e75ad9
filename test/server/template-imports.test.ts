import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The mail templates import each other in one direction only (shared types live in
 * key-notice-params.ts), so none needs another to be loaded first. Read from the source text:
 * type-only imports count too, since they tie the modules together just the same.
 */
const DIR = resolve('server/mail/templates');

function importsOf(file: string): string[] {
  const text = readFileSync(join(DIR, file), 'utf8');
  return [...text.matchAll(/from '\.\/([\w-]+)'/g)].map((m) => `${m[1]}.ts`);
}

function cycles(): string[][] {
  const graph = new Map(readdirSync(DIR).filter((f) => f.endsWith('.ts')).map((f) => [f, importsOf(f)]));
  const found: string[][] = [];
  const visit = (file: string, path: string[]) => {
    if (path.includes(file)) return void found.push([...path.slice(path.indexOf(file)), file]);
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

describe('mail templates', () => {
  it('import one another without a circle', () => {
    expect(cycles()).toEqual([]);
  });
});
