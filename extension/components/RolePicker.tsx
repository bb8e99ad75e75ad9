import type { Role } from '../../shared/schemas/policy';

/**
 * The team's roles as checkboxes. A member may tick only roles marked member-assignable (the
 * server refuses the others); a role the key holds that the team no longer has is still listed,
 * so it can be taken off.
 */
export function RolePicker({ roles, value, admin, disabled, onChange }: { roles: Role[]; value: string[]; admin: boolean; disabled?: boolean; onChange(next: string[]): void }) {
  const known = new Set(roles.map((r) => r.name));
  const gone = value.filter((name) => !known.has(name));
  if (roles.length === 0 && gone.length === 0) {
    return <p class="hint">No roles in this team yet{admin ? ' (Settings → Roles)' : ''}.</p>;
  }
  const toggle = (name: string, on: boolean) => onChange(on ? [...value, name] : value.filter((n) => n !== name));
  return (
    <fieldset class="role-picker">
      <legend>Roles</legend>
      {roles.map((role) => {
        const locked = disabled || (!admin && !role.memberAssignable);
        return (
          <label key={role.name} class="check" title={role.permissions.join(', ') || 'no permissions'}>
            <input type="checkbox" name={`role-${role.name}`} checked={value.includes(role.name)} disabled={locked} onChange={(e) => toggle(role.name, e.currentTarget.checked)} />
            <span>
              {role.name}
              {role.description ? <span class="muted"> · {role.description}</span> : null}
              {!admin && !role.memberAssignable ? <span class="muted"> (admins assign it)</span> : null}
            </span>
          </label>
        );
      })}
      {gone.map((name) => (
        <label key={name} class="check">
          <input type="checkbox" name={`role-${name}`} checked disabled={disabled} onChange={() => toggle(name, false)} />
          <span>
            {name} <span class="muted">(no longer a role of the team)</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
