import { browser } from 'wxt/browser';
import { BADGE_RED } from '../../shared/schemas/alerts';
import { keyHint, parseSecretOfAnyKind } from '../../shared/key-format';
import { createApi } from './api';
import { LEAK_GUARD_SCRIPT_ID, leakGuardSitesItem, leakPendingItem, syncLeakGuard, type GuardScripting, type LeakFoundMessage, type LeakPending } from './leak-guard';
import { currentTeam, getSettings, sessionItem } from './storage';

/**
 * The worker's half of the leak guard: keeps the content script registered for
 * the chosen, granted sites, and answers what the content script found with a
 * badge on that tab and a desktop notification offering "Revoke now" (a key of
 * the user's team they may revoke) and "Report as leaked". Only the key goes
 * to the user's own server, over the signed-in channel.
 */
const ICON = '/icon/128.png';
const BUTTON_LABELS = { revoke: 'Revoke now', report: 'Report as leaked' } as const;

const scriptFor = (matches: string[]) => ({
  id: LEAK_GUARD_SCRIPT_ID,
  js: ['content-scripts/leak-guard.js'],
  matches,
  runAt: 'document_idle' as const,
  persistAcrossSessions: true,
});

export const guardScripting: GuardScripting = {
  async granted(origins) {
    const checks = await Promise.all(origins.map(async (o) => ((await browser.permissions.contains({ origins: [`${o}/*`] })) ? o : null)));
    return checks.filter((o): o is string => o !== null);
  },
  async registered() {
    const [script] = await browser.scripting.getRegisteredContentScripts({ ids: [LEAK_GUARD_SCRIPT_ID] });
    return script?.matches ?? null;
  },
  register: (matches) => browser.scripting.registerContentScripts([scriptFor(matches)]),
  update: (matches) => browser.scripting.updateContentScripts([scriptFor(matches)]),
  unregister: () => browser.scripting.unregisterContentScripts({ ids: [LEAK_GUARD_SCRIPT_ID] }),
};

/** Re-registers after any change of the chosen sites or of the granted permissions. */
export async function syncLeakGuardNow(): Promise<string[]> {
  const [sites, settings, session] = await Promise.all([leakGuardSitesItem.getValue(), getSettings(), sessionItem.getValue()]);
  return syncLeakGuard(sites, guardScripting, session?.serverUrl ?? settings.serverUrl);
}

async function notifyFound(key: string, pageUrl: string): Promise<void> {
  const [session, settings] = await Promise.all([sessionItem.getValue(), getSettings()]);
  const team = currentTeam(session, settings);
  // Asked of the user's own server, signed in; signed out, the key can still be reported (after signing in).
  const check = session && team ? await createApi(session.serverUrl, session.token).leaks.check.query({ teamId: team.teamId, key }).catch(() => null) : null;
  const buttons: LeakPending['buttons'] = check?.teamKey && check.canRevoke && !check.revoked ? ['revoke', 'report'] : ['report'];
  const host = new URL(pageUrl).host;
  const title = check?.teamKey ? `A key of ${team!.name} is visible on ${host}` : `An API key is visible on ${host}`;
  const message = check?.teamKey && check.name ? `"${check.name}" (${keyHint(key)})${check.revoked ? ' is already revoked.' : ': revoke it or report it as leaked.'}` : `${keyHint(key)}: report it as leaked.`;
  const id = `leak:${keyHint(key)}:${Date.now()}`;
  await leakPendingItem.setValue({ ...(await leakPendingItem.getValue()), [id]: { key, url: pageUrl, teamId: team?.teamId ?? null, buttons } });
  await browser.notifications.create(id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL(ICON),
    title,
    message,
    requireInteraction: true,
    buttons: buttons.map((b) => ({ title: BUTTON_LABELS[b] })),
  });
}

/** A content script found keys: badge its tab, then one notification per key. Pages of the user's own server are ignored. */
export async function handleLeakFound(message: LeakFoundMessage, sender: { id?: string; tab?: { id?: number; url?: string }; url?: string }): Promise<void> {
  if (sender.id !== browser.runtime.id || sender.tab?.id === undefined) return;
  const pageUrl = sender.tab.url ?? sender.url ?? '';
  const [session, settings] = await Promise.all([sessionItem.getValue(), getSettings()]);
  const server = new URL(session?.serverUrl ?? settings.serverUrl).origin;
  if (!pageUrl || new URL(pageUrl).origin === server) return;
  // The content script's findings are checked again here: a page cannot make the worker send anything but a well-formed key or token.
  const keys = [...new Set(message.keys.filter((k) => typeof k === 'string' && parseSecretOfAnyKind(k) !== null))].slice(0, 5);
  if (keys.length === 0) return;
  const tabId = sender.tab.id;
  await Promise.all([
    browser.action.setBadgeText({ tabId, text: '!' }),
    browser.action.setBadgeBackgroundColor({ tabId, color: BADGE_RED }),
    browser.action.setTitle({ tabId, title: `Keywarden: ${keys.length === 1 ? 'an API key is' : `${keys.length} API keys are`} visible on this page` }),
  ]);
  for (const key of keys) await notifyFound(key, pageUrl).catch(() => {});
}

/** "Revoke now" or "Report as leaked" on a leak notification. */
export async function handleLeakButton(notificationId: string, buttonIndex: number): Promise<void> {
  const pending = await leakPendingItem.getValue();
  const found = pending[notificationId];
  if (!found) return;
  const choice = found.buttons[buttonIndex];
  const session = await sessionItem.getValue();
  if (!choice) return;
  if (!session || !found.teamId) {
    await browser.runtime.openOptionsPage();
    return;
  }
  const api = createApi(session.serverUrl, session.token);
  const input = { teamId: found.teamId, key: found.key, url: found.url };
  let done: string;
  try {
    if (choice === 'revoke') done = (await api.leaks.revoke.mutate(input)).revoked.length > 0 ? 'Revoked.' : 'Not revoked: it may already be.';
    else done = (await api.leaks.report.mutate(input)) && 'Reported as leaked. Your team is told what was done.';
  } catch (err) {
    done = `Failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  delete pending[notificationId];
  await leakPendingItem.setValue(pending);
  await browser.notifications.clear(notificationId);
  await browser.notifications.create(`${notificationId}:done`, { type: 'basic', iconUrl: browser.runtime.getURL(ICON), title: `${keyHint(found.key)}`, message: done });
}
