import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectivePermissions, evaluateQuery, grants, parsePermissionQuery } from '../../shared/permissions';

/** The query as generated: a binary tree, independent of the parser's n-ary AST. */
type Tree = { name: string } | { op: 'AND' | 'OR'; left: Tree; right: Tree };

/** The reference: segment by segment, as a person would read the rules. */
function referenceGrants(granted: readonly string[], permission: string): boolean {
  const wanted = permission.split('.');
  return granted.some((g) => {
    const segments = g.split('.');
    if (segments[segments.length - 1] !== '*') return g === permission;
    const parent = segments.slice(0, -1);
    return wanted.length > parent.length && parent.every((s, i) => s === wanted[i]);
  });
}

function referenceEvaluate(tree: Tree, granted: readonly string[]): boolean {
  if ('name' in tree) return referenceGrants(granted, tree.name);
  const left = referenceEvaluate(tree.left, granted);
  const right = referenceEvaluate(tree.right, granted);
  return tree.op === 'AND' ? left && right : left || right;
}

// 'doc' and 'docs', 'a' and 'ab': segments that are prefixes of others, so a wildcard that checks only characters fails.
const segment = fc.constantFrom('a', 'ab', 'b', 'doc', 'docs', 'read', 'x-y', 'n:1', 'z_9');
const plainName = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('.'));
const wildcard = fc.array(segment, { minLength: 0, maxLength: 2 }).map((s) => [...s, '*'].join('.'));
const permission = fc.oneof({ arbitrary: plainName, weight: 4 }, { arbitrary: wildcard, weight: 1 });

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    permission.map((name) => ({ name })),
    fc.record({ op: fc.constantFrom('AND' as const, 'OR' as const), left: tie('tree'), right: tie('tree') }),
  ),
}));

/**
 * Prints the tree as tokens: parentheses where precedence needs them (an OR inside an AND, and a
 * right-hand operand of the same operator, which keeps the tree's grouping) and, at random, where
 * it does not.
 */
function tokens(t: Tree, extraParens: () => boolean, parent?: { op: 'AND' | 'OR'; right: boolean }): string[] {
  if ('name' in t) return extraParens() ? ['(', t.name, ')'] : [t.name];
  const inner = [...tokens(t.left, extraParens, { op: t.op, right: false }), t.op, ...tokens(t.right, extraParens, { op: t.op, right: true })];
  const needed = parent !== undefined && ((parent.op === 'AND' && t.op === 'OR') || (parent.right && parent.op === t.op));
  return needed || extraParens() ? ['(', ...inner, ')'] : inner;
}

function print(parts: string[], space: () => string): string {
  let out = space();
  parts.forEach((part, i) => {
    const previous = parts[i - 1];
    const bothWords = previous !== undefined && !'()'.includes(previous) && !'()'.includes(part);
    if (i > 0) out += bothWords ? space() || ' ' : space();
    out += part;
  });
  return out + space();
}

const printed = fc.record({
  tree,
  granted: fc.array(permission, { maxLength: 20 }),
  parens: fc.infiniteStream(fc.integer({ min: 0, max: 4 })),
  spaces: fc.infiniteStream(fc.constantFrom('', '', ' ', '  ', '\t', '\n')),
});

describe('permission queries', () => {
  it('agree with the reference evaluator on 10,000 random queries and grant sets', () => {
    fc.assert(
      fc.property(printed, ({ tree, granted, parens, spaces }) => {
        const parenIt = parens[Symbol.iterator]();
        const spaceIt = spaces[Symbol.iterator]();
        const text = print(
          tokens(tree, () => parenIt.next().value === 0),
          () => spaceIt.next().value as string,
        );
        const parsed = parsePermissionQuery(text);
        if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
        return evaluateQuery(parsed.query, granted) === referenceEvaluate(tree, granted);
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);

  it('binds AND tighter than OR', () => {
    const parsed = parsePermissionQuery('a OR b AND c');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(evaluateQuery(parsed.query, ['a'])).toBe(true);
    expect(evaluateQuery(parsed.query, ['b'])).toBe(false);
    expect(parsed.query).toEqual({ kind: 'or', terms: [{ kind: 'name', name: 'a' }, { kind: 'and', terms: [{ kind: 'name', name: 'b' }, { kind: 'name', name: 'c' }] }] });
  });

  it.each([
    ['', 'Expected a permission name at position 0, found the end of the query', 0],
    ['docs.read AND ', 'Expected a permission name at position 14, found the end of the query', 14],
    ['docs.read AND (docs.write OR admin', 'Expected AND, OR or ) at position 34, found the end of the query', 34],
    ['docs.read AND (docs.write OR OR admin)', 'Expected a permission name at position 29, found "OR"', 29],
    ['docs.read docs.write', 'Expected AND or OR at position 10, found "docs.write"', 10],
    ['docs.read and docs.write', 'Expected AND or OR at position 10, found "and" (the operators AND and OR are upper case)', 10],
    ['(docs.read))', 'Unexpected ) at position 11', 11],
    ['docs.read AND ()', 'Expected a permission name at position 15, found ")"', 15],
    ['docs.read OR Docs.Write', '"Docs.Write" at position 13 is not a permission: a permission uses only a-z, 0-9, _, -, : and . between segments', 13],
    ['a.*.b', '"a.*.b" at position 0 is not a permission: a * may only be the whole last segment, as in billing.*', 0],
    ['docs..read', '"docs..read" at position 0 is not a permission: a permission is segments separated by single dots, as in docs.read', 0],
  ])('refuses %j and says where', (query, message, position) => {
    expect(parsePermissionQuery(query)).toEqual({ ok: false, message, position });
  });

  it('refuses a query over 1,000 characters', () => {
    const long = Array.from({ length: 200 }, () => 'docs.read').join(' AND ');
    expect(parsePermissionQuery(long)).toMatchObject({ ok: false, message: 'A permission query is at most 1000 characters' });
  });

  it('answers the same parsed query for the same string (cached)', () => {
    expect(parsePermissionQuery('a AND b')).toBe(parsePermissionQuery('a AND b'));
  });
});

describe('grants', () => {
  it('grants a permission by name and by a wildcard above it, never the wildcard’s own parent', () => {
    expect(grants(['billing.*'], 'billing.refund')).toBe(true);
    expect(grants(['billing.*'], 'billing.invoices.read')).toBe(true);
    expect(grants(['billing.*'], 'billing')).toBe(false);
    expect(grants(['billing.*'], 'billingx.refund')).toBe(false);
    expect(grants(['billing.invoices.*'], 'billing.refund')).toBe(false);
    expect(grants(['docs.read'], 'docs.read')).toBe(true);
    expect(grants(['docs.read'], 'docs.read.all')).toBe(false);
    expect(grants(['*'], 'anything.at.all')).toBe(true);
    expect(grants([], 'docs.read')).toBe(false);
  });

  it('agrees with the reference on random grants', () => {
    fc.assert(fc.property(fc.array(permission, { maxLength: 20 }), permission, (granted, wanted) => grants(granted, wanted) === referenceGrants(granted, wanted)), {
      numRuns: 2000,
    });
  });
});

describe('effective permissions', () => {
  it('are the key’s own plus its roles’, sorted, each once', () => {
    expect(effectivePermissions(['docs.read', 'a'], [{ permissions: ['docs.read', 'billing.*'] }, { permissions: ['z', 'a'] }])).toEqual([
      'a',
      'billing.*',
      'docs.read',
      'z',
    ]);
  });
});
