/**
 * Counted nouns by Intl.PluralRules ("1 key", "2,011 keys"), so no message says "1 key expire"
 * or "them" of one key. The interface is English, so the rules and digits are English too.
 */
const rules = new Intl.PluralRules('en');
const numbers = new Intl.NumberFormat('en');

/** "2,011" */
export const formatCount = (n: number): string => numbers.format(n);

/** The form of a word that agrees with `n`: pick(n, 'expires', 'expire'), pick(n, 'it', 'them'). */
export function pick(n: number, one: string, other: string): string {
  return rules.select(n) === 'one' ? one : other;
}

/** "1 key", "3 keys", "2,011 keys"; irregular plurals take `other`. */
export function plural(n: number, one: string, other = `${one}s`): string {
  return `${formatCount(n)} ${pick(n, one, other)}`;
}
