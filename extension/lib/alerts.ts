import type { AlertsSummary } from '../../shared/schemas/alerts';
import { applyBadge, offlineBadge, signedOutBadge, type ActionAdapter } from './badge';
import { isConnectionProblem } from './errors';
import { problemOf } from './session-problem';
import { getSettings, seenNoticesItem, sessionItem, signOutReasonItem, type Session } from './storage';

/**
 * One alerts poll, shared by the alarm, push messages and "refresh now"
 * requests from the popup: fetch the summary, paint the badge, raise a desktop
 * notification for each unread notice not seen before that the server gave a
 * desktop title (revocations, leak alarms, notices asking for action).
 */

/** What a poll uses of a notice: the server words it (`desktopTitle` null: no desktop notification). */
export interface AlertNotice {
  id: string;
  message: string;
  desktopTitle: string | null;
  readAt?: Date | string | null;
}

/** What a poll uses of alerts.summary: the badge to paint as given, and the newest notices. */
export interface AlertSummary extends Pick<AlertsSummary, 'revokedUnread' | 'expiringSoon' | 'badge'> {
  items?: AlertNotice[];
  etag?: string;
}

/** The server answers `{ unchanged: true }` when the etag we pass still matches. */
export type AlertSummaryResult = (AlertSummary & { unchanged?: false }) | { unchanged: true; etag: string };

export interface DesktopNotice {
  id: string;
  title: string;
  message: string;
}

export interface AlertDeps {
  summary(session: Session, etag: string | undefined): Promise<AlertSummaryResult>;
  action: ActionAdapter;
  notify(notice: DesktopNotice): Promise<void>;
}

export type PollResult = { state: 'signed_out' } | { state: 'unchanged' } | { state: 'expired' } | { state: 'error'; message: string } | { state: 'ok'; summary: AlertSummary; notified: string[] };

const SEEN_LIMIT = 300;

/** The last summary's etag, per session token; memory only (a restarted worker simply refetches). */
let lastEtag: { token: string; etag: string } | null = null;

export function forgetEtag(): void {
  lastEtag = null;
}

let running: Promise<PollResult> | null = null;
let queued: Promise<PollResult> | null = null;

/**
 * Single flight. A waking worker asks for a poll twice at once (its start-up
 * refresh and the alarm or message that woke it); two concurrent polls would
 * both read seenNotices before either wrote it, so every new revocation was
 * requested and notified twice. A caller joins the poll in flight. One that
 * knows something just changed (`fresh`: a page's refresh request, a push, a
 * sign-in) cannot trust a poll that may have started before the change, so it
 * gets the next poll after it, shared with any other such caller.
 */
export function pollAlerts(deps: AlertDeps, { fresh = false } = {}): Promise<PollResult> {
  if (!running) {
    running = pollOnce(deps).finally(() => {
      running = null;
    });
    return running;
  }
  if (!fresh) return running;
  queued ??= running.then(
    () => nextPoll(deps),
    () => nextPoll(deps),
  );
  return queued;
}

function nextPoll(deps: AlertDeps): Promise<PollResult> {
  queued = null;
  return pollAlerts(deps);
}

async function pollOnce(deps: AlertDeps): Promise<PollResult> {
  const session = await sessionItem.getValue();
  if (!session) {
    // endSession stores why; without it a later poll would turn "session expired" back into "signed out".
    await applyBadge(deps.action, signedOutBadge((await signOutReasonItem.getValue()) ?? 'signed_out'));
    return { state: 'signed_out' };
  }
  let result: AlertSummaryResult;
  try {
    result = await deps.summary(session, lastEtag?.token === session.token ? lastEtag.etag : undefined);
  } catch (err) {
    const problem = await problemOf(err, session.serverUrl);
    if (problem.kind === 'unauthorized') {
      await applyBadge(deps.action, signedOutBadge('expired'));
      return { state: 'expired' };
    }
    // An unreachable server gets the "offline" badge instead of a count that may be stale; other
    // failures keep the last count and say why in the tooltip. Forget the etag either way: the
    // badge now shows the failure, so the next poll needs a full summary to repaint it; with the
    // etag the recovered server would answer `unchanged` and the failure would stay.
    forgetEtag();
    if (isConnectionProblem(problem)) await applyBadge(deps.action, offlineBadge(problem.message));
    else await deps.action.setTitle({ title: `Keywarden: ${problem.message}` });
    return { state: 'error', message: problem.message };
  }
  // The session may have ended while the request was in flight.
  if ((await sessionItem.getValue())?.token !== session.token) return { state: 'signed_out' };
  if (result.unchanged) return { state: 'unchanged' };
  const summary = result;
  lastEtag = summary.etag ? { token: session.token, etag: summary.etag } : null;
  await applyBadge(deps.action, summary.badge);
  const notified = await notifyNewAlarms(deps, summary.items ?? []);
  return { state: 'ok', summary, notified };
}

async function notifyNewAlarms(deps: AlertDeps, items: AlertNotice[]): Promise<string[]> {
  const seen = new Set(await seenNoticesItem.getValue());
  const fresh = items.filter((n): n is AlertNotice & { desktopTitle: string } => !!n.desktopTitle && !n.readAt && !seen.has(n.id));
  if (fresh.length === 0) return [];
  const settings = await getSettings();
  if (settings.desktopNotifications) {
    for (const notice of fresh) await deps.notify(desktopNoticeFor(notice)).catch(() => {});
  }
  // Remember them even when notifications are off, so turning them on later does not replay old news.
  await seenNoticesItem.setValue([...fresh.map((n) => n.id), ...seen].slice(0, SEEN_LIMIT));
  return fresh.map((n) => n.id);
}

export function desktopNoticeFor(notice: AlertNotice & { desktopTitle: string }): DesktopNotice {
  return { id: `notice:${notice.id}`, title: notice.desktopTitle, message: notice.message || 'Open Keywarden for details.' };
}
