import { useState } from 'preact/hooks';
import { CreateTokenInput, MAX_TOKEN_LIFETIME_DAYS, type TokenRow, type TokenScope } from '../../../shared/schemas/token';
import { AsyncStatus } from '../../components/AsyncStatus';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ProblemBox } from '../../components/ProblemBox';
import { ScopeChecklist } from '../../components/ScopeChecklist';
import { SecretOnce } from '../../components/SecretOnce';
import { useSignedIn } from '../../hooks/session-context';
import { useAction, useAsync } from '../../hooks/use-async';
import { formatDate, formatDateTime, relative } from '../../lib/format';
import type { SessionTeam } from '../../lib/storage';

/** The lifetimes offered; `null` is a token that never expires (it still stops when revoked or its creator stops being an admin). */
const EXPIRY_CHOICES: { days: number | null; label: string }[] = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: MAX_TOKEN_LIFETIME_DAYS, label: '1 year' },
  { days: null, label: 'Never' },
];

/**
 * The team's API tokens, for scripts and services calling the REST API: create one with
 * scopes and a lifetime (its value shown once), see when each was last used, revoke it.
 */
export function TokensTab({ team }: { team: SessionTeam }) {
  const { api } = useSignedIn();
  const teamId = team.teamId;
  const tokens = useAsync(() => api.tokens.list.query({ teamId }), [api, teamId]);
  const members = useAsync(() => api.members.list.query({ teamId }), [api, teamId]);
  const { busy, problem, act } = useAction();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>([]);
  const [expiresInDays, setExpiresInDays] = useState<number | null>(90);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [report, setReport] = useState<string | null>(null);

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    setReport(null);
    const parsed = CreateTokenInput.safeParse({ teamId, name, scopes, ...(expiresInDays === null ? {} : { expiresInDays }) });
    if (!parsed.success) return setInvalid(parsed.error.issues[0]?.message ?? 'Check the form.');
    setInvalid(null);
    const result = await act(() => api.tokens.create.mutate(parsed.data));
    if (!result) return;
    setCreated({ token: result.token, name: result.row.name });
    setName('');
    setScopes([]);
    await tokens.reload();
  };

  const revoke = async (row: TokenRow) => {
    setReport(null);
    const result = await act(() => api.tokens.revoke.mutate({ teamId, tokenId: row.id }));
    if (!result) return;
    setReport(`Token "${row.name}" revoked: scripts using it now get 401.`);
    await tokens.reload();
  };

  const creatorName = (userId: string) => {
    const member = members.data?.find((m) => m.userId === userId);
    return member ? member.name || member.email : 'a former admin';
  };

  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      <p class="muted">
        Tokens let scripts, CI pipelines and other services call the REST API for this team (<span class="mono">Authorization: Bearer kwt_…</span>). A token can do only what its
        scopes allow, and stops working when it expires, is revoked, or its creator is no longer an admin.
      </p>
      {created ? <SecretOnce kind="token" secret={created.token} name={created.name} onDone={() => setCreated(null)} /> : null}
      <form class="card" aria-label="New API token" onSubmit={(e) => void create(e)} noValidate>
        <div class="row">
          <label class="field grow">
            <span>Token name</span>
            <input name="tokenName" placeholder="e.g. CI deploy pipeline" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          </label>
          <label class="field">
            <span>Expires after</span>
            <select name="tokenExpiry" value={String(expiresInDays)} onChange={(e) => setExpiresInDays(e.currentTarget.value === 'null' ? null : Number(e.currentTarget.value))}>
              {EXPIRY_CHOICES.map((c) => (
                <option key={c.label} value={String(c.days)}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ScopeChecklist value={scopes} onChange={setScopes} disabled={busy} />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Create token
        </button>
      </form>
      {invalid ? (
        <p class="field-error" role="alert">
          {invalid}
        </p>
      ) : null}
      {report ? (
        <p class="report" role="status">
          {report}
        </p>
      ) : null}
      {problem ? <ProblemBox problem={problem} /> : null}
      <AsyncStatus state={tokens} loading="Loading API tokens…" />
      {tokens.data && tokens.data.length === 0 ? <p class="empty">No API tokens yet.</p> : null}
      {tokens.data && tokens.data.length > 0 ? (
        <table class="compact tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((row) => (
              <tr key={row.id} aria-label={`Token ${row.name}`}>
                <td>
                  <strong>{row.name}</strong>
                  <div class="muted mono">{row.hint}</div>
                </td>
                <td class="mono">{row.scopes.join(', ')}</td>
                <td title={formatDateTime(row.createdAt)}>
                  {formatDate(row.createdAt)}
                  <div class="muted">by {creatorName(row.createdBy)}</div>
                </td>
                <td title={row.expiresAt ? formatDateTime(row.expiresAt) : undefined}>{row.expiresAt ? relative(row.expiresAt) : 'Never'}</td>
                <td title={row.lastUsedAt ? formatDateTime(row.lastUsedAt) : undefined}>{row.lastUsedAt ? relative(row.lastUsedAt) : 'Never used'}</td>
                <td>
                  <ConfirmButton
                    class="btn btn-small btn-danger-outline"
                    label="Revoke"
                    ariaLabel={`Revoke token ${row.name}`}
                    confirmLabel="Revoke"
                    busy={busy}
                    question={<>Revoke "{row.name}"? Anything using it stops working at once.</>}
                    onConfirm={() => void revoke(row)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
