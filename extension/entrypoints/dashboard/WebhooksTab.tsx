import { useState } from 'preact/hooks';
import { WEBHOOK_EVENTS, WebhookCreateInput, type WebhookFormat } from '../../../shared/schemas/webhook';
import { AsyncStatus } from '../../components/AsyncStatus';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ProblemBox } from '../../components/ProblemBox';
import { useSignedIn } from '../../hooks/session-context';
import { useAction, useAsync } from '../../hooks/use-async';
import { formatDateTime } from '../../lib/format';
import type { SessionTeam } from '../../lib/storage';
import { WebhookDeliveries } from './WebhookDeliveries';

type Event = (typeof WEBHOOK_EVENTS)[number];

/** A signing secret, shown once after create or rotate; the receiver verifies signatures with it. */
function SigningSecret({ secret, onDone }: { secret: string; onDone(): void }) {
  return (
    <div class="secret" role="alert" aria-labelledby="webhook-secret-title">
      <h3 id="webhook-secret-title">Signing secret</h3>
      <p class="warning">Copy it now into your receiver: Keywarden shows it only this once. Receivers verify each event's signature with it.</p>
      <div class="secret-row">
        <input class="mono" readOnly value={secret} aria-label="Webhook signing secret" onFocus={(e) => e.currentTarget.select()} />
      </div>
      <button type="button" class="btn secret-done" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

/** The team's webhook endpoints: add, test, enable or disable, rotate the secret, inspect deliveries. */
export function WebhooksTab({ team }: { team: SessionTeam }) {
  const { api } = useSignedIn();
  const teamId = team.teamId;
  const endpoints = useAsync(() => api.webhooks.list.query({ teamId }), [api, teamId]);
  const { busy, problem, act } = useAction();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [format, setFormat] = useState<WebhookFormat>('standard');
  const [events, setEvents] = useState<Event[]>(['key.revoked', 'key.leaked']);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [report, setReport] = useState<string | null>(null);

  const run = async <R,>(fn: () => Promise<R>): Promise<R | undefined> => {
    setReport(null);
    const result = await act(fn);
    if (result !== undefined) await endpoints.reload();
    return result;
  };

  const add = async (e: SubmitEvent) => {
    e.preventDefault();
    const parsed = WebhookCreateInput.safeParse({ teamId, url, events, format, ...(description ? { description } : {}) });
    if (!parsed.success) return setInvalid(parsed.error.issues[0]?.message ?? 'Check the form.');
    setInvalid(null);
    const created = await run(() => api.webhooks.create.mutate(parsed.data));
    if (!created) return;
    setSecret(created.secret);
    setUrl('');
    setDescription('');
  };
  const toggle = (event: Event, on: boolean) => setEvents((list) => (on ? [...list, event] : list.filter((x) => x !== event)));

  return (
    <section aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p class="muted">Key events, signed (Standard Webhooks), sent to your SIEM, Slack or automation. Retried for up to 24 hours.</p>
      {secret ? <SigningSecret secret={secret} onDone={() => setSecret(null)} /> : null}
      <form class="card" onSubmit={(e) => void add(e)} noValidate>
        <div class="row">
          <label class="field grow">
            <span>Endpoint URL</span>
            <input type="url" name="webhookUrl" placeholder="https://siem.example.com/keywarden" value={url} onInput={(e) => setUrl(e.currentTarget.value)} required />
          </label>
          <label class="field">
            <span>Format</span>
            <select name="webhookFormat" value={format} onChange={(e) => setFormat(e.currentTarget.value as WebhookFormat)}>
              <option value="standard">Signed JSON</option>
              <option value="slack">Slack message</option>
            </select>
          </label>
        </div>
        <label class="field">
          <span>Description (optional)</span>
          <input name="webhookDescription" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <fieldset class="filter-group">
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event} class="check">
              <input type="checkbox" checked={events.includes(event)} onChange={(e) => toggle(event, e.currentTarget.checked)} />
              <span class="mono">{event}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Add endpoint
        </button>
      </form>
      {invalid ? <p class="field-error" role="alert">{invalid}</p> : null}
      {report ? <p class="report" role="status">{report}</p> : null}
      {problem ? <ProblemBox problem={problem} /> : null}
      <AsyncStatus state={endpoints} loading="Loading webhooks…" />
      {endpoints.data && endpoints.data.length === 0 ? <p class="empty">No webhook endpoints yet.</p> : null}
      {endpoints.data?.map((ep) => {
        const ref = { teamId, endpointId: ep.id };
        return (
          <article key={ep.id} class="card webhook" aria-label={`Webhook ${ep.url}`}>
            <div class="row">
              <div class="grow">
                <strong class="mono">{ep.url}</strong> {ep.format === 'slack' ? <span class="chip">Slack</span> : null}
                <span class="chip">{ep.enabled ? 'Enabled' : 'Disabled'}</span>
                {ep.description ? <div class="muted">{ep.description}</div> : null}
                <div class="muted">{ep.events.join(', ')}</div>
                {ep.disabledReason === 'failing' ? <p class="warning">Turned off by Keywarden: every delivery failed for 24 hours.</p> : null}
                {ep.disabledReason === 'token_leaked' ? <p class="warning">Turned off by Keywarden: the API token that added it leaked. Check the URL before enabling it again.</p> : null}
                {ep.enabled && ep.failingSince ? <p class="warning">Failing since {formatDateTime(ep.failingSince)}.</p> : null}
              </div>
            </div>
            <div class="row">
              <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run(() => api.webhooks.update.mutate({ ...ref, enabled: !ep.enabled }))}>
                {ep.enabled ? 'Disable' : 'Enable'}
              </button>
              <button
                type="button"
                class="btn btn-small"
                disabled={busy}
                onClick={() => void run(() => api.webhooks.test.mutate(ref)).then((r) => r && (setReport(`Test ping sent to ${ep.url}.`), setOpen(ep.id)))}
              >
                Send test
              </button>
              <button type="button" class="btn btn-small" aria-expanded={open === ep.id} onClick={() => setOpen(open === ep.id ? null : ep.id)}>
                Deliveries
              </button>
              <ConfirmButton
                class="btn btn-small"
                label="Rotate secret"
                confirmLabel="Rotate"
                busy={busy}
                question={<>New secret? The old one keeps signing for 24 hours.</>}
                onConfirm={() => void run(() => api.webhooks.rotateSecret.mutate(ref)).then((r) => r && setSecret(r.secret))}
              />
              <ConfirmButton
                class="btn btn-small btn-danger-outline"
                label="Delete"
                confirmLabel="Delete"
                busy={busy}
                question={<>Delete this endpoint? Pending deliveries are dropped.</>}
                onConfirm={() => void run(() => api.webhooks.delete.mutate(ref))}
              />
            </div>
            {open === ep.id ? <WebhookDeliveries teamId={teamId} endpointId={ep.id} /> : null}
          </article>
        );
      })}
    </section>
  );
}
