import { browser } from 'wxt/browser';
import type { AlertDeps, DesktopNotice } from './alerts';
import { sessionApi } from './api';
import type { MenuDeps } from './context-menu';
import { pendingRevokeItem, sessionItem, type PendingRevoke } from './storage';

/**
 * The real browser behind the background modules' small adapters. Kept apart
 * so the modules themselves run in unit tests over fakeBrowser and fakes.
 */

const ICON = '/icon/128.png';

export async function showNotification(notice: DesktopNotice): Promise<void> {
  await browser.notifications.create(notice.id, { type: 'basic', iconUrl: browser.runtime.getURL(ICON), title: notice.title, message: notice.message });
}

export function alertDeps(): AlertDeps {
  return {
    summary: (session, etag) => sessionApi(session).alerts.summary.query(etag ? { etag } : undefined),
    action: browser.action,
    notify: showNotification,
  };
}

export async function openConfirmWindow(pending: PendingRevoke): Promise<void> {
  await pendingRevokeItem.setValue(pending);
  await browser.windows.create({ url: browser.runtime.getURL(`/confirm.html#${pending.id}`), type: 'popup', width: 440, height: 420, focused: true });
}

export function menuDeps(): MenuDeps {
  return {
    session: () => sessionItem.getValue(),
    lookup: (session, teamId, key) => sessionApi(session).keys.lookup.query({ teamId, key }),
    notify: (title, message) => showNotification({ id: `menu:${Date.now()}`, title, message }),
    confirm: openConfirmWindow,
    openSignIn: () => browser.runtime.openOptionsPage(),
  };
}
