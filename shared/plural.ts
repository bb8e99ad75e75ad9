/**
 * Counted nouns and the words that agree with them, for the server's notices and emails and the
 * extension's pages alike. The words are English, so the plural rules are too, whatever the locale:
 * no "1 key expire", no "them" of one key.
 */
const rules = new Intl.PluralRules('en');
const numbers = new Intl.NumberFormat('en');

/** "2,011" */
export const formatCount = (n: number): string => numbers.format(n);

/** The form of a word that agrees with `n`: pick(n, 'expires', 'expire'), pick(n, 'it', 'them'). */
export function pick(n: number, one: string, other: string): string {
  return rules.select(n) === 'one' ? one : other;
}

/** "1 key", "3 keys", "2,011 keys"; irregular plurals pass `other`. */
export function plural(n: number, one: string, other = `${one}s`): string {
  return `${formatCount(n)} ${pick(n, one, other)}`;
}
