/**
 * Permissions and permission queries: the one home of what a granted permission covers and of the
 * query grammar verify accepts. Pure and fast: verify runs a query on every request, so a query
 * string is parsed once (cached) and a granted list is indexed once per array (WeakMap).
 *
 * A permission is dot-separated segments of `a-z 0-9 _ - :`; a final `*` segment is a wildcard.
 * `billing.*` grants everything below `billing` (`billing.refund`, `billing.invoices.read`) but not
 * `billing` itself, as in Unkey: a wildcard names the children, and the parent is granted only by
 * name. `*` alone grants every permission.
 *
 * Query grammar (AND binds tighter than OR; operators are upper case; whitespace is free):
 *   query  = or
 *   or     = and { "OR" and }
 *   and    = term { "AND" term }
 *   term   = name | "(" or ")"
 * Positions in parse errors are 0-based character offsets, as in JSON.parse's messages.
 */

export const MAX_PERMISSION_LENGTH = 64;
export const MAX_PERMISSION_QUERY_LENGTH = 1000;

const PERMISSION = /^(?:[a-z0-9_:-]+\.)*(?:[a-z0-9_:-]+|\*)$/;

/** Why `name` is not a valid permission, or null when it is. */
export function permissionProblem(name: string): string | null {
  if (name.length === 0) return 'a permission is 1 to 64 characters';
  if (name.length > MAX_PERMISSION_LENGTH) return `a permission is at most ${MAX_PERMISSION_LENGTH} characters`;
  if (PERMISSION.test(name)) return null;
  if (/[^a-z0-9_:.*-]/.test(name)) return 'a permission uses only a-z, 0-9, _, -, : and . between segments';
  if (name.includes('*')) return 'a * may only be the whole last segment, as in billing.*';
  return 'a permission is segments separated by single dots, as in docs.read';
}

export type PermissionQuery =
  | { kind: 'name'; name: string }
  | { kind: 'and'; terms: PermissionQuery[] }
  | { kind: 'or'; terms: PermissionQuery[] };

export type ParsedPermissionQuery = { ok: true; query: PermissionQuery } | { ok: false; message: string; position: number };

type Token = { type: 'name' | 'and' | 'or' | 'open' | 'close' | 'end'; text: string; position: number };

const WHITESPACE = /\s/;

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < q.length && WHITESPACE.test(q[i]!)) i++;
    if (i === q.length) {
      tokens.push({ type: 'end', text: '', position: i });
      return tokens;
    }
    const position = i;
    if (q[i] === '(' || q[i] === ')') {
      tokens.push({ type: q[i] === '(' ? 'open' : 'close', text: q[i]!, position });
      i++;
      continue;
    }
    while (i < q.length && q[i] !== '(' && q[i] !== ')' && !WHITESPACE.test(q[i]!)) i++;
    const text = q.slice(position, i);
    tokens.push({ type: text === 'AND' ? 'and' : text === 'OR' ? 'or' : 'name', text, position });
  }
}

class QueryError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

function describe(token: Token): string {
  return token.type === 'end' ? 'the end of the query' : `"${token.text}"`;
}

/** A recursive-descent parser over the tokens; throws QueryError at the first problem. */
function parseTokens(tokens: Token[]): PermissionQuery {
  let at = 0;
  const peek = (): Token => tokens[at]!;

  function term(): PermissionQuery {
    const token = peek();
    if (token.type === 'open') {
      at++;
      const inner = or();
      const close = peek();
      if (close.type !== 'close') throw new QueryError(`Expected AND, OR or ) at position ${close.position}, found ${describe(close)}`, close.position);
      at++;
      return inner;
    }
    if (token.type !== 'name') throw new QueryError(`Expected a permission name at position ${token.position}, found ${describe(token)}`, token.position);
    const problem = permissionProblem(token.text);
    if (problem) {
      const hint = /^(and|or)$/i.test(token.text) ? ' (the operators AND and OR are upper case)' : '';
      throw new QueryError(`"${token.text}" at position ${token.position} is not a permission: ${problem}${hint}`, token.position);
    }
    at++;
    return { kind: 'name', name: token.text };
  }

  function and(): PermissionQuery {
    const terms = [term()];
    while (peek().type === 'and') {
      at++;
      terms.push(term());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  }

  function or(): PermissionQuery {
    const terms = [and()];
    while (peek().type === 'or') {
      at++;
      terms.push(and());
    }
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }

  const query = or();
  const rest = peek();
  if (rest.type !== 'end') {
    const hint = /^(and|or)$/i.test(rest.text) ? ' (the operators AND and OR are upper case)' : '';
    const expected = rest.type === 'close' ? `Unexpected ) at position ${rest.position}` : `Expected AND or OR at position ${rest.position}, found ${describe(rest)}${hint}`;
    throw new QueryError(expected, rest.position);
  }
  return query;
}

const parsedQueries = new Map<string, ParsedPermissionQuery>();
const MAX_CACHED_QUERIES = 1000;

/** Parses a permission query (cached per query string); the error names the 0-based position. */
export function parsePermissionQuery(q: string): ParsedPermissionQuery {
  const cached = parsedQueries.get(q);
  if (cached) return cached;
  let result: ParsedPermissionQuery;
  if (q.length > MAX_PERMISSION_QUERY_LENGTH) {
    result = { ok: false, message: `A permission query is at most ${MAX_PERMISSION_QUERY_LENGTH} characters`, position: MAX_PERMISSION_QUERY_LENGTH };
  } else {
    try {
      result = { ok: true, query: parseTokens(tokenize(q)) };
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      result = { ok: false, message: error.message, position: error.position };
    }
  }
  // A simple bound, not an LRU: a service sends a handful of distinct queries, so clearing is rare.
  if (parsedQueries.size >= MAX_CACHED_QUERIES) parsedQueries.clear();
  parsedQueries.set(q, result);
  return result;
}

/** A granted list indexed for lookups: exact names, and the prefixes (`billing.`) of its wildcards. */
interface GrantIndex {
  exact: Set<string>;
  prefixes: string[];
  all: boolean;
}

const grantIndexes = new WeakMap<readonly string[], GrantIndex>();

function indexOf(granted: readonly string[]): GrantIndex {
  let index = grantIndexes.get(granted);
  if (!index) {
    index = { exact: new Set(granted), prefixes: [], all: false };
    for (const g of granted) {
      if (g === '*') index.all = true;
      else if (g.endsWith('.*')) index.prefixes.push(g.slice(0, -1));
    }
    grantIndexes.set(granted, index);
  }
  return index;
}

function indexGrants(index: GrantIndex, permission: string): boolean {
  if (index.all || index.exact.has(permission)) return true;
  for (const prefix of index.prefixes) {
    if (permission.length > prefix.length && permission.startsWith(prefix)) return true;
  }
  return false;
}

/** Whether `granted` grants `permission`: by name, or by a wildcard above it (never its own parent). */
export function grants(granted: readonly string[], permission: string): boolean {
  return indexGrants(indexOf(granted), permission);
}

function evaluate(query: PermissionQuery, index: GrantIndex): boolean {
  switch (query.kind) {
    case 'name':
      return indexGrants(index, query.name);
    case 'and':
      return query.terms.every((term) => evaluate(term, index));
    case 'or':
      return query.terms.some((term) => evaluate(term, index));
  }
}

/** Whether `granted` satisfies the parsed `query`. */
export function evaluateQuery(query: PermissionQuery, granted: readonly string[]): boolean {
  return evaluate(query, indexOf(granted));
}

/** A key's effective permissions: its own plus its roles', sorted and without repeats. */
export function effectivePermissions(own: readonly string[], roles: readonly { permissions: readonly string[] }[]): string[] {
  const all = new Set(own);
  for (const role of roles) for (const p of role.permissions) all.add(p);
  return [...all].sort();
}
