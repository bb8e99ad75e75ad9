import { useState } from 'preact/hooks';
import { RoleSchema, type Role } from '../../shared/schemas/policy';
import { useApi } from '../hooks/session-context';
import { useAction, useAsync } from '../hooks/use-async';
import { entries } from '../lib/policy-edit';
import { AsyncStatus } from './AsyncStatus';
import { ConfirmButton } from './ConfirmButton';
import { ProblemBox } from './ProblemBox';

interface RoleDraft {
  /** The role being edited (its name is its id); null for a new one. */
  editing: string | null;
  name: string;
  permissions: string;
  description: string;
  memberAssignable: boolean;
}

const EMPTY: RoleDraft = { editing: null, name: '', permissions: '', description: '', memberAssignable: false };

/**
 * The team's roles (Settings, admins): each a named set of permissions that keys hold by name, so
 * changing a role changes every key that holds it at once. Add, edit, delete.
 */
export function RolesCard({ teamId }: { teamId: string }) {
  const api = useApi();
  const roles = useAsync(() => api.roles.list.query({ teamId }), [api, teamId]);
  const action = useAction();
  const [draft, setDraft] = useState<RoleDraft | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [report, setReport] = useState<string | null>(null);

  const open = (d: RoleDraft) => (setDraft(d), setInvalid(null), setReport(null));
  const edit = (patch: Partial<RoleDraft>) => (setDraft((d) => (d ? { ...d, ...patch } : d)), setInvalid(null));

  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    const parsed = RoleSchema.safeParse({ name: draft.name, permissions: entries(draft.permissions), description: draft.description, memberAssignable: draft.memberAssignable });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return setInvalid(`${issue.path[0] === 'name' ? 'Name' : issue.path[0] === 'permissions' ? 'Permissions' : 'Description'}: ${issue.message}`);
    }
    if (draft.editing === null && (roles.data ?? []).some((r) => r.name === parsed.data.name)) return setInvalid(`Name: the team already has a role “${parsed.data.name}”; edit it instead`);
    const saved = await action.act(() => api.roles.upsert.mutate({ teamId, ...parsed.data }));
    if (!saved) return;
    setDraft(null);
    setReport(`Saved “${saved.name}”. Every key holding it has its permissions now.`);
    void roles.reload();
  };

  const remove = async (role: Role) => {
    setReport(null);
    const gone = await action.act(() => api.roles.delete.mutate({ teamId, name: role.name }));
    if (!gone) return;
    setReport(`Deleted “${role.name}”. Keys that held it no longer have its permissions.`);
    void roles.reload();
  };

  const list = roles.data ?? [];
  return (
    <div class="card roles">
      <h3>Roles</h3>
      <p class="hint">A role is a named set of permissions. A key’s permissions are its own plus its roles’; changing a role changes every key that holds it, at once.</p>
      <AsyncStatus state={roles} loading="Reading roles…" />
      {roles.data && list.length === 0 ? <p class="empty">No roles yet.</p> : null}
      {list.length > 0 ? (
        <ul class="role-list">
          {list.map((role) => (
            <li key={role.name}>
              <strong>{role.name}</strong>
              {role.memberAssignable ? <span class="tag">members may assign</span> : null}
              {role.description ? <span class="muted"> · {role.description}</span> : null}
              <span class="mono block">{role.permissions.length > 0 ? role.permissions.join(', ') : 'no permissions'}</span>
              <span class="row">
                <button type="button" class="btn btn-small" aria-label={`Edit role ${role.name}`} onClick={() => open({ editing: role.name, name: role.name, permissions: role.permissions.join('\n'), description: role.description, memberAssignable: role.memberAssignable })}>
                  Edit
                </button>
                <ConfirmButton
                  label="Delete"
                  ariaLabel={`Delete role ${role.name}`}
                  class="btn btn-small btn-danger-outline"
                  question={<>Delete the role “{role.name}”? Every key holding it loses its permissions at once.</>}
                  confirmLabel="Delete role"
                  busy={action.busy}
                  onConfirm={() => void remove(role)}
                />
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {draft ? (
        <form class="role-form" onSubmit={(e) => void save(e)} noValidate>
          <label class="field">
            <span>Name (a-z, 0-9, _ - . :)</span>
            <input name="roleName" value={draft.name} readOnly={draft.editing !== null} maxLength={64} autoComplete="off" onInput={(e) => edit({ name: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>Permissions (one a line, like docs.read or billing.*)</span>
            <textarea name="rolePermissions" rows={3} value={draft.permissions} spellcheck={false} onInput={(e) => edit({ permissions: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>Description (optional)</span>
            <input name="roleDescription" value={draft.description} maxLength={500} onInput={(e) => edit({ description: e.currentTarget.value })} />
          </label>
          <label class="check">
            <input type="checkbox" name="memberAssignable" checked={draft.memberAssignable} onChange={(e) => edit({ memberAssignable: e.currentTarget.checked })} />
            <span>Members may put it on their own keys</span>
          </label>
          {invalid ? (
            <p class="field-error" role="alert">
              {invalid}
            </p>
          ) : null}
          <div class="row">
            <button type="submit" class="btn btn-primary" disabled={action.busy}>
              {action.busy ? 'Saving…' : draft.editing ? 'Save role' : 'Add role'}
            </button>
            <button type="button" class="btn btn-link" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" class="btn" onClick={() => open(EMPTY)}>
          New role
        </button>
      )}
      {report ? (
        <p class="report" role="status">
          {report}
        </p>
      ) : null}
      {action.problem ? <ProblemBox problem={action.problem} /> : null}
    </div>
  );
}
