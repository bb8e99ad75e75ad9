import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { AdminTools } from '../../extension/entrypoints/popup/AdminTools';
import { RotationNote } from '../../extension/components/RotateKey';
import type { Api } from '../../extension/lib/api';
import { formatCount, formatDateTime, formatShortDateTime } from '../../extension/lib/format';
import { DEFAULT_SERVER_URL } from '../../extension/lib/storage';
import { signedIn } from '../helpers/signed-in';

/** Issue 21, item 6: numbers read one way on every page, short row notes, the README's server address. */
describe('one number format', () => {
  it('groups thousands the same way wherever a count is shown', () => {
    expect([0, 7, 2000, 1_234_567].map(formatCount)).toEqual(['0', '7', '2,000', '1,234,567']);
  });

  it('prints the popup\'s team counts as the dashboard does ("2,000", never "2000")', async () => {
    const counts = vi.fn(async () => ({ enabled: 2000, disabled: 12_345, revoked: 3 }));
    render(signedIn({ keys: { counts: { query: counts } } } as unknown as Api, <AdminTools teamId="team_acme" keysVersion={1} onChanged={() => {}} />));
    const shown = (status: string) => screen.getByText(status).parentElement!.querySelector('dd')!.textContent;
    await waitFor(() => expect(shown('Enabled')).toBe('2,000'), { timeout: 30_000 });
    expect([shown('Disabled'), shown('Revoked')]).toEqual(['12,345', '3']);
  });
});

describe('the rotation note', () => {
  it('gives the grace end as a short date and time this year, the full one in its title, and never splits it', () => {
    const now = Date.now();
    const ends = new Date(now + 86_400_000);
    const short = formatShortDateTime(ends, now);
    expect(short.length).toBeLessThan(formatDateTime(ends).length);
    const { container } = render(<RotationNote row={{ rotation: { replacedBy: 'key_new', graceEndsAt: ends }, replaces: null }} />);
    const time = container.querySelector('time')!;
    expect(time.textContent).toBe(short);
    expect(time.getAttribute('title')).toBe(formatDateTime(ends));
    expect(container.textContent).toBe(`rotating — old key works until ${short} · new key`);
    // Another year's date keeps its year.
    expect(formatShortDateTime(new Date(now + 400 * 86_400_000), now)).toBe(formatDateTime(new Date(now + 400 * 86_400_000)));
  });
});

describe('the suggested server address', () => {
  it('is the one the README tells you to enter', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    expect(readme).toContain(`Enter the server URL (\`${DEFAULT_SERVER_URL}\`)`);
  });
});
