import { browser } from 'wxt/browser';

/** Pages ask the worker to re-poll after they change something the badge shows (e.g. mark read). */
export const REFRESH_ALERTS = { type: 'keywarden:refresh-alerts' } as const;

export function isRefreshMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === REFRESH_ALERTS.type;
}

export async function requestAlertsRefresh(): Promise<void> {
  // No worker listening (e.g. during an update) is not an error worth showing.
  await browser.runtime.sendMessage(REFRESH_ALERTS).catch(() => {});
}
