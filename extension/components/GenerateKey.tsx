import { useState } from 'preact/hooks';
import { KeyNameSchema } from '../../shared/schemas/key';
import { PermissionsSchema } from '../../shared/schemas/policy';
import { useAction, useAsync } from '../hooks/use-async';
import { useApi } from '../hooks/session-context';
import { entries } from '../lib/policy-edit';
import { ProblemBox } from './ProblemBox';
import { RolePicker } from './RolePicker';
import { SecretOnce } from './SecretOnce';

/**
 * Name (+ optional lifetime) -> a new key, whose secret is shown exactly once. `onSecret`
 * tells a host dialog while the secret is on screen (so it can refuse to close); `onDone`
 * runs once the user has put it away.
 */
export function GenerateKey(props: {
  teamId: string;
  maxLifetimeDays: number | null;
  initialName?: string;
  onCreated: () => void;
  onSecret?: (shown: boolean) => void;
  onDone?: () => void;
  /** Admins may make a canary: a trap key that never works and alerts every admin when used. */
  allowCanary?: boolean;
  /** Admins give the new key permissions and team roles (members change a key's policy in its details). */
  allowPolicy?: boolean;
}) {
  const [name, setName] = useState(props.initialName ?? '');
  const [canary, setCanary] = useState(false);
  const [days, setDays] = useState('');
  const [permissions, setPermissions] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [secret, setSecret] = useState<{ key: string; name: string } | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const api = useApi();
  const { busy, problem, act } = useAction();
  const teamRoles = useAsync(props.allowPolicy ? () => api.roles.list.query({ teamId: props.teamId }) : null, [api, props.teamId, props.allowPolicy]);

  if (secret) {
    return (
      <SecretOnce
        secret={secret.key}
        name={secret.name}
        onDone={() => {
          setSecret(null);
          props.onSecret?.(false);
          props.onDone?.();
        }}
      />
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    const parsedName = KeyNameSchema.safeParse(name);
    if (!parsedName.success) return setInvalid(parsedName.error.issues[0]?.message ?? 'name is required');
    const lifetime = days ? Number(days) : undefined;
    if (lifetime !== undefined && (!Number.isInteger(lifetime) || lifetime < 1)) return setInvalid('days must be a whole number, 1 or more');
    const parsedPermissions = PermissionsSchema.safeParse(entries(permissions));
    if (!parsedPermissions.success) return setInvalid(`Permissions: ${parsedPermissions.error.issues[0]?.message ?? 'not valid'}`);
    setInvalid(null);
    const policy = props.allowPolicy && !canary ? { permissions: parsedPermissions.data, roles } : {};
    const created = await act(() => api.keys.create.mutate({ teamId: props.teamId, name: parsedName.data, expiresInDays: lifetime, ...(canary ? { canary: true } : {}), ...policy }));
    if (created) {
      setSecret({ key: created.key, name: created.row.name });
      props.onSecret?.(true);
      setName('');
      setDays('');
      setPermissions('');
      setRoles([]);
      props.onCreated();
    }
  };

  return (
    <form class="generate" onSubmit={(e) => void submit(e)} noValidate>
      <label class="field">
        <span>Key name</span>
        <input name="keyName" value={name} maxLength={100} placeholder="e.g. CI deploys" onInput={(e) => (setName(e.currentTarget.value), setInvalid(null))} required />
      </label>
      <label class="field">
        <span>Expires in (days, optional{props.maxLifetimeDays ? `, at most ${props.maxLifetimeDays}` : ''})</span>
        <input name="expiresInDays" type="number" min={1} max={props.maxLifetimeDays ?? 3650} value={days} onInput={(e) => (setDays(e.currentTarget.value), setInvalid(null))} />
      </label>
      {props.allowPolicy && !canary ? (
        <>
          <label class="field">
            <span>Permissions (optional, one a line, like docs.read or billing.*)</span>
            <textarea name="permissions" rows={2} value={permissions} spellcheck={false} onInput={(e) => (setPermissions(e.currentTarget.value), setInvalid(null))} />
          </label>
          {teamRoles.data ? <RolePicker roles={teamRoles.data} value={roles} admin onChange={setRoles} /> : null}
        </>
      ) : null}
      {props.allowCanary ? (
        <label class="check">
          <input type="checkbox" name="canary" checked={canary} onChange={(e) => setCanary(e.currentTarget.checked)} />
          <span>Canary: a trap key that never works; whoever uses it sets off an alert to every admin (it never expires)</span>
        </label>
      ) : null}
      {invalid ? <p class="field-error" role="alert">{invalid}</p> : null}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? 'Generating…' : 'Generate key'}
      </button>
      {problem ? <ProblemBox problem={problem} /> : null}
    </form>
  );
}
