import '../../lib/csp-safe-zod';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { pollAlerts } from '../../lib/alerts';
import { alertDeps, menuDeps } from '../../lib/background-deps';
import { handleMenuClick, registerMenus } from '../../lib/context-menu';
import { ensurePush } from '../../lib/push';
import { isRefreshMessage } from '../../lib/messages';
import { isLeakFoundMessage, leakGuardSitesItem } from '../../lib/leak-guard';
import { handleLeakButton, handleLeakFound, syncLeakGuardNow } from '../../lib/leak-guard-worker';
import { getSettings, sessionItem, settingsItem } from '../../lib/storage';

const POLL_ALARM = 'keywarden-poll';

/** Wiring only: every behaviour lives in extension/lib, where it is unit-tested. */
export default defineBackground(() => {
  // A poll joins one in flight; after a change (a page's request, a push, a storage change) it must not.
  const poll = () => pollAlerts(alertDeps());
  const pollFresh = () => pollAlerts(alertDeps(), { fresh: true });
  const schedule = async () => {
    const { pollMinutes } = await getSettings();
    await browser.alarms.create(POLL_ALARM, { periodInMinutes: pollMinutes, delayInMinutes: pollMinutes });
  };
  const refresh = (fresh = false) => Promise.all([fresh ? pollFresh() : poll(), ensurePush(pollFresh)]);

  browser.runtime.onInstalled.addListener(() => void registerMenus(browser.contextMenus).then(schedule));
  browser.runtime.onStartup.addListener(() => void schedule().then(() => refresh()));
  browser.alarms.onAlarm.addListener((alarm) => alarm.name === POLL_ALARM && void refresh());
  browser.contextMenus.onClicked.addListener((info) => void handleMenuClick(info, menuDeps()));
  browser.notifications.onClicked.addListener(() => void browser.action.openPopup().catch(() => browser.tabs.create({ url: browser.runtime.getURL('/popup.html') })));
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (isLeakFoundMessage(message)) void handleLeakFound(message, sender);
    if (!isRefreshMessage(message)) return undefined;
    void pollFresh().finally(() => sendResponse(true));
    return true; // answer asynchronously, once the badge is repainted
  });
  // The leak guard: its content script follows the chosen sites and the access granted to them.
  const syncGuard = () => void syncLeakGuardNow().catch(() => {});
  browser.permissions.onAdded.addListener(syncGuard);
  browser.permissions.onRemoved.addListener(syncGuard);
  leakGuardSitesItem.watch(syncGuard);
  browser.notifications.onButtonClicked.addListener((id, index) => void handleLeakButton(id, index));
  syncGuard();
  sessionItem.watch(() => void refresh(true));
  settingsItem.watch(() => void schedule().then(pollFresh));
  void refresh();

  // A handle for the end-to-end tests, which drive the worker over CDP. Only a test build has it
  // (WXT_E2E_HOOK=1, see test/helpers/e2e-extension.ts): the bundle that ships never does.
  if (import.meta.env.WXT_E2E_HOOK === '1') {
    Object.assign(globalThis, {
      keywarden: { poll: pollFresh, menuClick: (info: { menuItemId: string; selectionText?: string }) => handleMenuClick(info, menuDeps()), leakButton: handleLeakButton },
    });
  }
});
