import { useState } from 'preact/hooks';
import type { KeyRow } from '../../shared/schemas/key';
import { requestAlertsRefresh } from '../lib/messages';
import type { SessionTeam } from '../lib/storage';
import { selectedImpact } from '../lib/usage-queries';
import { useApi } from './session-context';
import { useAction, useAsync } from './use-async';
import { useBusyIds } from './use-busy-ids';
import { usePages } from './use-pages';

/**
 * "My keys" (keys.mine) as the popup and a member's dashboard show them: pages of `pageSize`,
 * whether the user may generate there (the server's `canGenerate`), and Revoke (keys.revokeOwn), whose answer replaces
 * the row on screen at once instead of reading every page again.
 */
export function useMyKeys(team: SessionTeam, pageSize: number) {
  const api = useApi();
  const mine = usePages((cursor) => api.keys.mine.query({ teamId: team.teamId, cursor, limit: pageSize }), [api, team.teamId]);
  // The warning window and lifetime cap to show; whether the user may generate comes with the session's team.
  const settings = useAsync(() => api.settings.get.query({ teamId: team.teamId }).catch(() => null), [api, team.teamId]);
  /** Rows changed here, by id, until the list is read again. */
  const [changedRows, setChangedRows] = useState<Record<string, KeyRow>>({});
  const { busyIds, during } = useBusyIds();
  const action = useAction();

  const revoke = async (row: KeyRow) => {
    const result = await during(row.id, () => action.act(() => api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id })));
    if (!result) return undefined;
    setChangedRows((c) => ({ ...c, [row.id]: result.row }));
    void requestAlertsRefresh();
    return result;
  };

  return {
    mine,
    rows: mine.items.map((r) => changedRows[r.id] ?? r),
    busyIds,
    action,
    revoke,
    reload: async () => {
      setChangedRows({});
      await mine.reload();
    },
    allowed: team.canGenerate === true,
    warnDays: settings.data ? Math.max(0, ...settings.data.expiryWarningDays) : null,
    maxLifetimeDays: settings.data?.maxLifetimeDays ?? null,
    impact: (row: KeyRow) => selectedImpact(api, team.teamId, [row.id]),
  };
}
