import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * axe-core in an extension page. Its `axe.min.js` is evaluated over the
 * DevTools protocol: a `<script>` tag (page.addScriptTag) would be refused by
 * the extension's content security policy, which allows only its own files.
 */

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** What fails a check: the two highest of axe's four impact levels. */
const BLOCKING = new Set(['serious', 'critical']);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary: string }[];
}

/** Every serious or critical violation on the page as it is now, in one colour scheme. */
export async function blockingViolations(page: Page, colorScheme: 'light' | 'dark'): Promise<AxeViolation[]> {
  await page.emulateMedia({ colorScheme });
  const applied = await page.evaluate(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  if (applied !== colorScheme) throw new Error(`the page did not switch to the ${colorScheme} scheme`);
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact !== null && BLOCKING.has(v.impact));
}

/**
 * One line per failing element, naming the page, the scheme, the rule and what to fix, so a
 * failed run reads as a to-do list: `popup (dark) color-contrast [serious] .tag-revoked: …`.
 */
export function describeViolations(where: string, colorScheme: string, violations: AxeViolation[]): string[] {
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${where} (${colorScheme}) ${v.id} [${v.impact}] ${n.target.join(' ')}: ${v.help}. ${n.failureSummary.replace(/\s+/g, ' ')} <${v.helpUrl}> ${n.html.slice(0, 120)}`),
  );
}

/** Runs axe in light and then dark mode; the lines of every blocking violation found, or none. */
export async function checkBothSchemes(page: Page, where: string): Promise<string[]> {
  const lines: string[] = [];
  for (const scheme of ['light', 'dark'] as const) lines.push(...describeViolations(where, scheme, await blockingViolations(page, scheme)));
  await page.emulateMedia({ colorScheme: 'light' });
  return lines;
}
