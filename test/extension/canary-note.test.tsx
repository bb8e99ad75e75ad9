import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { LeakNote } from '../../extension/components/LeakNote';

/** A canary's row says it is a canary and, once it fired, when and from where. */
describe('LeakNote on a canary', () => {
  const now = new Date('2026-03-01T12:00:00Z').getTime();

  it('says when and from where the canary last fired', () => {
    render(<LeakNote row={{ canary: true, canaryFired: { at: new Date(now - 5 * 60_000), ip: '203.0.113.77' } }} now={now} />);
    expect(screen.getByText('CANARY')).toBeTruthy();
    expect(screen.getByText(/fired .* from 203\.0\.113\.77/).textContent).toBe(' fired 5 minutes ago from 203.0.113.77');
  });

  it('says nothing of firing for a canary that never fired', () => {
    const { container } = render(<LeakNote row={{ canary: true, canaryFired: null }} now={now} />);
    expect(container.textContent).toBe('CANARY');
  });
});
