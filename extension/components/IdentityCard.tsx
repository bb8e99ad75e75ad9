import { useState } from 'preact/hooks';
import { MetaSchema } from '../../shared/schemas/policy';
import { useApi } from '../hooks/session-context';
import { useAction, useAsync } from '../hooks/use-async';
import { plural } from '../lib/plural';
import { AsyncStatus } from './AsyncStatus';
import { ProblemBox } from './ProblemBox';

/**
 * A key's identity (admins, identities.get): the customer or service its externalId names, the
 * identity's own meta (verify returns it with every key of the identity), editable here, and the
 * other keys that share it.
 */
export function IdentityCard({ teamId, externalId, keyId }: { teamId: string; externalId: string; keyId: string }) {
  const api = useApi();
  const details = useAsync(() => api.identities.get.query({ teamId, externalId }), [api, teamId, externalId]);
  const [meta, setMeta] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const action = useAction();
  const d = details.data;
  const shown = meta ?? (d?.identity.meta ? JSON.stringify(d.identity.meta, null, 2) : '');

  const save = async () => {
    setReport(null);
    let value: unknown;
    try {
      value = shown.trim() === '' ? null : JSON.parse(shown);
    } catch (err) {
      return setInvalid(`Identity meta is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = MetaSchema.safeParse(value);
    if (!parsed.success) return setInvalid(`Identity meta: ${parsed.error.issues[0]?.message ?? 'must be a JSON object'}`);
    const identity = await action.act(() => api.identities.update.mutate({ teamId, externalId, meta: parsed.data }));
    if (!identity) return;
    details.setData({ ...d!, identity });
    setMeta(null);
    setReport('Identity meta saved.');
  };

  const others = d ? d.keys.filter((k) => k.id !== keyId) : [];
  return (
    <div class="identity-card">
      <AsyncStatus state={details} loading="Reading the identity…" />
      {d ? (
        <>
          <p class="hint">
            Identity <span class="mono">{d.identity.externalId}</span>
            {others.length > 0 ? `, shared with ${plural(others.length, 'other key')}: ${others.map((k) => k.name).join(', ')}` : ', used by this key only'}.
          </p>
          <label class="field">
            <span>Identity meta (returned by verify with every key of this identity)</span>
            <textarea name="identityMeta" rows={2} value={shown} spellcheck={false} onInput={(e) => (setMeta(e.currentTarget.value), setInvalid(null), setReport(null))} />
          </label>
          {invalid ? (
            <p class="field-error" role="alert">
              {invalid}
            </p>
          ) : null}
          {meta !== null ? (
            <button type="button" class="btn btn-small" disabled={action.busy} onClick={() => void save()}>
              Save identity meta
            </button>
          ) : null}
          {report ? (
            <p class="report" role="status">
              {report}
            </p>
          ) : null}
        </>
      ) : null}
      {action.problem ? <ProblemBox problem={action.problem} /> : null}
    </div>
  );
}
