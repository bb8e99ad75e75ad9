import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/key-format';
import { eventBuilder, eventForAudit } from '../../server/services/webhook-events';
import { newSigningSecret, openSecret, sealSecret, signedHeaders } from '../../server/services/webhook-signing';
import { checkTargetForDelivery, checkTargetOnSave } from '../../server/services/webhook-target';

/** The pure rules under webhooks: which audit actions are events, where a webhook may point, how it is signed. */
const STRICT = { allowHttpLoopback: false, allowPrivate: false };
const PEPPER = 'a-pepper-of-at-least-32-characters-long';

describe('webhook rules', () => {
  it('maps each audited action to its event, including the rotation, leak and canary records', () => {
    expect(eventForAudit('key.revoked')).toBe('key.revoked');
    expect(eventForAudit('key.rotated')).toBe('key.rotated');
    expect(eventForAudit('key.leaked')).toBe('key.leaked');
    expect(eventForAudit('canary.triggered')).toBe('canary.triggered');
    expect(eventForAudit('member.joined')).toBe('member.added');
    expect(eventForAudit('auth.sign_in')).toBeNull();
    expect(eventForAudit('webhook.created')).toBeNull();
  });

  it('keeps anything shaped like a key out of an event, wherever the details put it', async () => {
    const key = generateKey();
    const events = eventBuilder({ keys: { findManyByPublicIds: async () => [] }, users: { findMany: async () => [] } } as never);
    const event = await events.fromAudit(
      {
        id: 'aud_1',
        teamId: 'team_1',
        at: new Date(),
        actor: { userId: null, email: null, role: null },
        action: 'key.leaked',
        targets: { ids: [], count: 0 },
        details: { note: `found ${key} in a gist`, value: 'anything', nested: [{ seen: key }], name: `${key.slice(0, 9)}\u200B${key.slice(9)}` },
        ip: null,
        userAgent: null,
      },
      'key.leaked',
    );
    const text = JSON.stringify(event);
    expect(text).not.toContain(key);
    expect(text).not.toContain('anything');
    // A name kept before names holding a key were refused, the key split by a zero-width space.
    expect(event).toMatchObject({ id: 'evt_aud_1', type: 'key.leaked', data: { actor: null, keys: [], details: { note: '[redacted]', name: '[redacted]' } } });
  });

  it('refuses internal targets however they are written, and approves public ones', async () => {
    for (const url of ['https://10.0.0.1/', 'https://100.64.1.1/', 'https://[fe80::1]/', 'https://[::ffff:192.168.1.1]/', 'https://0.0.0.0/', 'https://[::]/', 'https://127.1.2.3/']) {
      await expect(checkTargetOnSave(url, STRICT), url).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    await expect(checkTargetOnSave('https://10.0.0.1/x', { allowHttpLoopback: false, allowPrivate: true })).resolves.toBe('https://10.0.0.1/x');
    await expect(checkTargetOnSave('http://10.0.0.1/x', { allowHttpLoopback: true, allowPrivate: true })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(checkTargetForDelivery('https://93.184.216.34/hook', STRICT)).resolves.toMatchObject({ addresses: [{ address: '93.184.216.34', family: 4 }] });
    await expect(checkTargetForDelivery('http://[::1]:8080/hook', { allowHttpLoopback: true, allowPrivate: false })).resolves.toMatchObject({ addresses: [{ address: '::1', family: 6 }] });
  });

  it('signs as the Standard Webhooks specification does, with a secret that never prints', () => {
    const secret = newSigningSecret();
    const sealed = sealSecret(PEPPER, secret);
    expect(sealed).not.toContain(secret.slice(6));
    const opened = openSecret(PEPPER, sealed);
    expect(String(opened)).toBe('[signing secret]');
    expect(JSON.stringify({ opened })).not.toContain(secret.slice(6));
    const body = JSON.stringify({ type: 'ping' });
    const headers = signedHeaders('evt_1', body, [opened], new Date());
    expect(new Webhook(secret).verify(body, headers)).toEqual({ type: 'ping' });
    expect(() => openSecret('another-pepper-of-at-least-32-characters', sealed)).toThrow();
  });
});
