import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';

/** How often a running bulk action's progress is read while its call is out. */
export const PROGRESS_POLL_MS = 400;

export interface ActionProgressFigures {
  done: number;
  total: number;
}

/**
 * Keys done of total of the team's bulk action while `running` (a bulk call is out): the server
 * records them per batch on the action (keys.actionProgress); null until the first batch is
 * recorded, and again once the call returns. A failed read keeps the last figures: the call's own
 * answer is what reports success or failure.
 */
export function useActionProgress(api: Api, teamId: string, running: boolean): ActionProgressFigures | null {
  const [progress, setProgress] = useState<ActionProgressFigures | null>(null);
  useEffect(() => {
    setProgress(null);
    if (!running) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const { running: actions } = await api.keys.actionProgress.query({ teamId });
        if (!stopped && actions.length > 0) setProgress({ done: actions.reduce((n, a) => n + a.done, 0), total: actions.reduce((n, a) => n + a.total, 0) });
      } catch {
        // Kept as it was: see above.
      }
      if (!stopped) timer = setTimeout(() => void read(), PROGRESS_POLL_MS);
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, teamId, running]);
  return progress;
}
