import type { ComponentChildren } from 'preact';
import { checkConnectionNow, useBannerSlot, useOffline } from '../hooks/use-connection-problem';

/**
 * Says once, at the top of the page, that the server is unreachable and since when; the
 * sections below keep what they showed, dimmed and marked busy, until the page reloads it
 * by itself when the server answers again.
 */
export function ConnectionBanner({ children }: { children: ComponentChildren }) {
  useBannerSlot();
  const since = useOffline();
  return (
    <>
      {since ? (
        <div class="problem problem-offline connection-banner" role="alert">
          <strong>Server unreachable</strong>
          <span>Since {since.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })} what is shown may be out of date. It reloads by itself when the server answers again.</span>
          <button type="button" class="btn btn-small" onClick={checkConnectionNow}>
            Try again
          </button>
        </div>
      ) : null}
      <div class={since ? 'connection-area stale' : 'connection-area'} aria-busy={since ? 'true' : undefined}>
        {children}
      </div>
    </>
  );
}
