import { useState } from 'preact/hooks';
import { KEY_PARSE_MESSAGES, parseKey } from '../../shared/key-format';
import type { KeyRow } from '../../shared/schemas/key';
import { formatDate } from '../lib/format';
import { requestAlertsRefresh } from '../lib/messages';
import { useApi } from '../hooks/session-context';
import { useAction } from '../hooks/use-async';
import { ConfirmButton } from './ConfirmButton';
import { ProblemBox } from './ProblemBox';
import { StatusTag } from './StatusTag';

/** Admins paste a key value -> its row (found by hash on the server) with a Revoke button; `onChanged` after a revoke. */
export function KeyLookup(props: { teamId: string; onChanged?: () => void }) {
  const api = useApi();
  const [value, setValue] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const [result, setResult] = useState<KeyRow | null | undefined>(undefined);
  const { busy, problem, act } = useAction();

  const find = async (e: Event) => {
    e.preventDefault();
    const parsed = parseKey(value);
    setResult(undefined);
    // Checked locally first: a typo never costs a request.
    if (!parsed.ok) return setLocalError(KEY_PARSE_MESSAGES[parsed.reason]);
    setLocalError(null);
    const row = await act(() => api.keys.findByValue.query({ teamId: props.teamId, key: parsed.key }));
    if (row !== undefined) setResult(row);
  };

  const revoke = async (row: KeyRow) => {
    const done = await act(() => api.keys.revoke.mutate({ teamId: props.teamId, keyIds: [row.id] }));
    if (done) {
      setResult({ ...row, status: 'revoked', revokedReason: 'manual', revokedAt: new Date() });
      void requestAlertsRefresh();
      props.onChanged?.();
    }
  };

  return (
    <div class="lookup">
      <form onSubmit={(e) => void find(e)} class="row" noValidate>
        <label class="field grow">
          <span class="sr-only">Key value</span>
          <input class="mono" name="keyValue" placeholder="Paste a key: kw_…" value={value} onInput={(e) => setValue(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </label>
        <button type="submit" class="btn" disabled={busy}>
          Find
        </button>
      </form>
      {localError ? <p class="field-error" role="alert">{localError}</p> : null}
      {problem ? <ProblemBox problem={problem} /> : null}
      {result === null ? <p class="empty">No key of this team has that value.</p> : null}
      {result ? (
        <div class="lookup-result">
          <div>
            <strong>{result.name}</strong> <span class="mono">{result.hint}</span> <StatusTag row={result} />
          </div>
          <div class="hint">
            {result.generatedBy.email} · created {formatDate(result.createdAt)} · expires {formatDate(result.expiresAt, 'never')}
          </div>
          {result.status !== 'revoked' ? (
            <ConfirmButton
              label="Revoke"
              confirmLabel="Revoke now"
              busy={busy}
              question={<>Anything using {result.hint} stops working at once. This cannot be undone.</>}
              onConfirm={() => void revoke(result)}
            />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
