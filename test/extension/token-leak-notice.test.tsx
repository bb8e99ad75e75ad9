import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { NoticeList } from '../../extension/components/NoticeList';
import { desktopNoticeFor } from '../../extension/lib/alerts';
import { tokenLeakNoticeSummary } from '../../server/mail/templates/leak-notice';
import { toNotification } from '../../server/services/notifications.service';
import { ME } from '../helpers/worded-notice';

afterEach(() => cleanup());

/** A `token_leaked` notice as the server writes it (leak-alerts.ts): its line from the server's own template. */
const at = new Date('2026-12-03T10:00:00Z');
const token = { id: 'tok_1', name: 'ci deploy', hint: 'kwt_Ab12…wxyz', expiresAt: null };
const notice = toNotification({
  id: 'ntf_t',
  userId: ME,
  teamId: 'team_1',
  teamName: 'Acme',
  kind: 'token_leaked',
  keys: [token],
  revokedKeyIds: [token.id],
  actor: null,
  reason: 'leaked',
  thresholdDays: null,
  message: tokenLeakNoticeSummary({ teamName: 'Acme', token, creatorEmail: null, toCreator: true, source: 'github', url: 'https://github.com/acme/app/blob/main/ci.yml', at, publicUrl: 'https://keywarden.example.test' }),
  createdAt: at,
  readAt: null,
});

describe('token_leaked in the notice list', () => {
  it('shows the server\'s tag and line, the token by name and hint and marked like a revocation', () => {
    const { container } = render(<NoticeList items={[notice]} busy={false} onMarkRead={() => {}} />);
    expect(screen.getByText('Token leaked')).toBeTruthy();
    const item = container.querySelector('.notice-item')!;
    expect(item.className).toBe('notice-item notice-token_leaked unread');
    expect(container.querySelector('.notice-message')!.textContent).toMatch(/^API token "ci deploy" leaked: revoked in team "Acme"\. It was found at https:\/\/github\.com\/acme\/app\/blob\/main\/ci\.yml/);
    expect(container.querySelector('.notice-keys')!.textContent).toBe('ci deploy kwt_Ab12…wxyz');
    expect(notice.desktopTitle).toBe('An API token of your team leaked');
    expect(desktopNoticeFor({ ...notice, desktopTitle: notice.desktopTitle! })).toEqual({ id: 'notice:ntf_t', title: 'An API token of your team leaked', message: notice.message });
  });
});
