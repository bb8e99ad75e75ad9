import { useState } from 'preact/hooks';
import { effectivePermissions } from '../../shared/permissions';
import { describeRestrictionsPreview } from '../../shared/policy-preview';
import type { KeyRow, RestrictionsPreview } from '../../shared/schemas/key';
import type { Role } from '../../shared/schemas/policy';
import { useApi } from '../hooks/session-context';
import { useAction, useAsync } from '../hooks/use-async';
import { addressesOf, changeOf, draftOf, isNarrowing, NO_CALLER_PASSES, type PolicyChange, type PolicyDraft } from '../lib/policy-edit';
import { plural } from '../lib/plural';
import { AsyncStatus } from './AsyncStatus';
import { IdentityCard } from './IdentityCard';
import { ProblemBox } from './ProblemBox';
import { RolePicker } from './RolePicker';

/** A narrowing waiting for "Save anyway": the change and what its preview said. */
interface Pending {
  change: PolicyChange;
  preview: RestrictionsPreview;
}

/**
 * A key's policy in its details panel: permissions, roles, address and origin restrictions, meta
 * and identity, shown and edited. Admins edit all of it; a member edits the restrictions, meta and
 * the roles marked member-assignable of their own keys (the server refuses anything else).
 * A narrowing is previewed first against the key's recorded verifications; when it would refuse
 * some, saving waits for "Save anyway", and "Limit to the addresses it used" fills the addresses.
 */
export function KeyPolicy({ teamId, row, admin, onSaved }: { teamId: string; row: KeyRow; admin: boolean; onSaved(row: KeyRow): void }) {
  const api = useApi();
  const [saved, setSaved] = useState<KeyRow>(row);
  const [draft, setDraft] = useState<PolicyDraft>(() => draftOf(row));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const roles = useAsync(() => api.roles.list.query({ teamId }), [api, teamId]);
  const { busy, problem, act } = useAction();
  const rights = { permissions: admin, externalId: admin };
  const editable = saved.status !== 'revoked';

  const edit = (patch: Partial<PolicyDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setInvalid(null);
    setPending(null);
    setReport(null);
  };

  const save = async (change: PolicyChange, previewNote: string | null) => {
    const updated = await act(() => api.keys.update.mutate({ teamId, keyId: saved.id, ...change }));
    if (!updated) return;
    setSaved(updated);
    setDraft(draftOf(updated));
    setPending(null);
    setReport(`Saved.${previewNote ? ` ${previewNote}` : ''}`);
    onSaved(updated);
  };

  const preview = (change: PolicyChange) =>
    act(() => api.keys.previewRestrictions.query({ teamId, keyId: saved.id, permissions: change.permissions, roles: change.roles, restrictions: change.restrictions }));

  const submit = async (e?: Event, from: PolicyDraft = draft) => {
    e?.preventDefault();
    setReport(null);
    const checked = changeOf(saved, from, rights);
    if (!checked.ok) return setInvalid(checked.message);
    const { change } = checked;
    if (Object.keys(change).length === 0) return setReport('Nothing to save: the policy is as shown.');
    if (!isNarrowing(saved, change)) return save(change, null);
    const answer = await preview(change);
    if (!answer) return;
    if (answer.wouldRefuse === 0) return save(change, describeRestrictionsPreview(answer));
    setPending({ change, preview: answer });
  };

  /** Every address the key was used from in the period (see NO_CALLER_PASSES), then the preview again. */
  const limitToUsed = async () => {
    const all = await act(() => api.keys.previewRestrictions.query({ teamId, keyId: saved.id, restrictions: NO_CALLER_PASSES }));
    if (!all) return;
    const next = { ...draft, ips: addressesOf(all.samples).join('\n') };
    setDraft(next);
    setPending(null);
    await submit(undefined, next);
  };

  const roleList: Role[] = roles.data ?? [];
  const heldRoles = roleList.filter((r) => saved.roles.includes(r.name));
  const effective = effectivePermissions(saved.permissions, heldRoles);
  const offersLimit = !!pending && pending.preview.byReason.IP_NOT_ALLOWED > 0 && !!pending.change.restrictions?.ips.length;

  return (
    <form class="key-policy" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="key-policy-title">
      <h3 id="key-policy-title">Policy</h3>
      <p class="hint">
        Effective permissions: {effective.length > 0 ? <span class="mono">{effective.join(', ')}</span> : 'none'}
        {heldRoles.length > 0 ? ` (its own and ${plural(heldRoles.length, 'role')}’)` : ''}.
      </p>
      <label class="field">
        <span>Permissions (one a line, like docs.read or billing.*)</span>
        <textarea name="permissions" rows={3} value={draft.permissions} readOnly={!admin || !editable} spellcheck={false} onInput={(e) => edit({ permissions: e.currentTarget.value })} />
        {!admin ? <small class="hint">Only admins change a key’s own permissions.</small> : null}
      </label>
      <AsyncStatus state={roles} loading="Reading the team’s roles…" />
      <RolePicker roles={roleList} value={draft.roles} admin={admin} disabled={!editable} onChange={(next) => edit({ roles: next })} />
      <label class="field">
        <span>Allowed addresses (IPv4/IPv6 or CIDR, one a line; empty: any address)</span>
        <textarea name="ips" rows={3} value={draft.ips} readOnly={!editable} spellcheck={false} placeholder="203.0.113.0/24" onInput={(e) => edit({ ips: e.currentTarget.value })} />
      </label>
      <label class="field">
        <span>Allowed origins (one a line; empty: any website)</span>
        <textarea name="origins" rows={2} value={draft.origins} readOnly={!editable} spellcheck={false} placeholder="https://app.example.com or https://*.example.com" onInput={(e) => edit({ origins: e.currentTarget.value })} />
      </label>
      <label class="field">
        <span>Meta (a JSON object verify returns, at most 2 KiB; empty: none)</span>
        <textarea name="meta" rows={3} class="mono" value={draft.meta} readOnly={!editable} spellcheck={false} placeholder='{"plan": "pro"}' onInput={(e) => edit({ meta: e.currentTarget.value })} />
      </label>
      <label class="field">
        <span>Identity (externalId: the customer or service it belongs to; empty: none)</span>
        <input name="externalId" value={draft.externalId} readOnly={!admin || !editable} maxLength={128} autoComplete="off" onInput={(e) => edit({ externalId: e.currentTarget.value })} />
        {!admin ? <small class="hint">Only admins change a key’s identity.</small> : null}
      </label>
      {admin && saved.externalId ? <IdentityCard key={saved.externalId} teamId={teamId} externalId={saved.externalId} keyId={saved.id} /> : null}
      {invalid ? (
        <p class="field-error" role="alert">
          {invalid}
        </p>
      ) : null}
      {pending ? (
        <div class="notice policy-preview" role="status">
          <p>{describeRestrictionsPreview(pending.preview)}</p>
          <div class="row">
            <button type="button" class="btn btn-danger-outline" disabled={busy} onClick={() => void save(pending.change, describeRestrictionsPreview(pending.preview))}>
              Save anyway
            </button>
            {offersLimit ? (
              <button type="button" class="btn" disabled={busy} onClick={() => void limitToUsed()}>
                Limit to the addresses it used
              </button>
            ) : null}
            <button type="button" class="btn btn-link" disabled={busy} onClick={() => setPending(null)}>
              Keep editing
            </button>
          </div>
        </div>
      ) : editable ? (
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Save policy'}
        </button>
      ) : (
        <p class="hint">A revoked key’s policy no longer matters.</p>
      )}
      {report ? (
        <p class="report" role="status">
          {report}
        </p>
      ) : null}
      {problem ? <ProblemBox problem={problem} /> : null}
    </form>
  );
}
