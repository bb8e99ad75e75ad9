import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageChart } from '../../extension/components/UsageChart';
import { deniedSummary } from '../../extension/lib/usage';
import { noDeny, noFail } from '../helpers/usage-ui';

/** Issue 25: the usage chart shows calls refused by a rate limit or for want of credits as their own series. */
afterEach(cleanup);

describe('the usage chart and calls denied by limits', () => {
  it('stacks rate-limited and exhausted calls as their own series, says them in its text and names them in the legend', () => {
    const buckets = [
      { at: new Date(Date.UTC(2026, 2, 8)), valid: 3, failed: noFail, denied: noDeny },
      { at: new Date(Date.UTC(2026, 2, 9)), valid: 40, failed: { REVOKED: 2, DISABLED: 0, EXPIRED: 0 }, denied: { ...noDeny, RATE_LIMITED: 7, USAGE_EXCEEDED: 1 } },
      { at: new Date(Date.UTC(2026, 2, 10)), valid: 0, failed: noFail, denied: { ...noDeny, USAGE_EXCEEDED: 4, FORBIDDEN: 1 } },
    ];
    const { container } = render(<UsageChart buckets={buckets} bucket="day" label="Uses per day" />);
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe(
      'Uses per day: 43 valid uses, 13 denied calls (7 rate-limited, 5 out of credits, 1 refused by policy) and 2 refused tries; busiest day Mar 9 with 40 valid, 8 denied and 2 refused.',
    );
    const denied = container.querySelectorAll('rect.chart-denied');
    expect(denied).toHaveLength(2);
    expect(container.querySelectorAll('rect.chart-valid')).toHaveLength(2);
    expect(container.querySelectorAll('rect.chart-failed')).toHaveLength(1);
    // Stacked: the Mar 9 bar's denied part sits on its valid part, and its refused part on top of that.
    const [valid9] = [...container.querySelectorAll('rect.chart-valid')].slice(1);
    const failed9 = container.querySelector('rect.chart-failed')!;
    const top = (r: Element) => Number(r.getAttribute('y'));
    const bottom = (r: Element) => top(r) + Number(r.getAttribute('height'));
    expect(bottom(denied[0]!)).toBeCloseTo(top(valid9!));
    expect(bottom(failed9)).toBeCloseTo(top(denied[0]!));
    expect(container.querySelector('.chart-legend')!.textContent).toContain('denied (rate-limited, out of credits, policy)');
    // The peak counts every series: 40 + 8 + 2.
    expect(container.querySelector('.chart-axis')!.textContent).toContain('peak 50 per day');
  });

  it('reads as before for a key that was never denied', () => {
    const buckets = [{ at: new Date(Date.UTC(2026, 2, 9)), valid: 5, failed: noFail, denied: noDeny }];
    const { container } = render(<UsageChart buckets={buckets} bucket="day" label="Uses per day" />);
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe('Uses per day: 5 valid uses and 0 refused tries; busiest day Mar 9 with 5 valid and 0 refused.');
    expect(container.querySelectorAll('rect.chart-denied')).toHaveLength(0);
  });

  it('words the denied totals for the key details and the overview', () => {
    expect(deniedSummary(noDeny)).toBeNull();
    expect(deniedSummary(undefined)).toBeNull();
    expect(deniedSummary({ ...noDeny, RATE_LIMITED: 1200, USAGE_EXCEEDED: 5 })).toBe('1,205: 1,200 rate-limited, 5 out of credits');
    expect(deniedSummary({ RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 2, INSUFFICIENT_PERMISSIONS: 1 })).toBe('3: 2 from a refused address or origin, 1 without the permissions asked for');
  });
});
