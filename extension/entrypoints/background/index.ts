import '../../lib/csp-safe-zod';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { pollAlerts } from '../../lib/alerts';
import { alertDeps, menuDeps } from '../../lib/background-deps';
import { handleMenuClick, registerMenus } from '../../lib/context-menu';
import { ensurePush } from '../../lib/push';
import { isRefreshMessage } from '../../lib/messages';
import { getSettings, sessionItem, settingsItem } from '../../lib/storage';

const POLL_ALARM = 'keywarden-poll';

/** Wiring only: every behaviour lives in extension/lib, where it is unit-tested. */
export default defineBackground(() => {
  const poll = () => pollAlerts(alertDeps());
  const schedule = async () => {
    const { pollMinutes } = await getSettings();
    await browser.alarms.create(POLL_ALARM, { periodInMinutes: pollMinutes, delayInMinutes: pollMinutes });
  };
  const refresh = () => Promise.all([poll(), ensurePush(poll)]);

  browser.runtime.onInstalled.addListener(() => void registerMenus(browser.contextMenus).then(schedule));
  browser.runtime.onStartup.addListener(() => void schedule().then(refresh));
  browser.alarms.onAlarm.addListener((alarm) => alarm.name === POLL_ALARM && void refresh());
  browser.contextMenus.onClicked.addListener((info) => void handleMenuClick(info, menuDeps()));
  browser.notifications.onClicked.addListener(() => void browser.action.openPopup().catch(() => browser.tabs.create({ url: browser.runtime.getURL('/popup.html') })));
  browser.runtime.onMessage.addListener((message, _sender, sendResponse) => {
    if (!isRefreshMessage(message)) return undefined;
    void poll().finally(() => sendResponse(true));
    return true; // answer asynchronously, once the badge is repainted
  });
  sessionItem.watch(() => void refresh());
  settingsItem.watch(() => void schedule().then(poll));
  void refresh();

  // A handle for the end-to-end tests, which drive the worker over CDP; web pages cannot reach it.
  Object.assign(globalThis, { keywarden: { poll, menuClick: (info: { menuItemId: string; selectionText?: string }) => handleMenuClick(info, menuDeps()) } });
});
