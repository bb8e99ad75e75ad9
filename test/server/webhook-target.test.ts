import { describe, expect, it } from 'vitest';
import { checkTargetOnSave } from '../../server/services/webhook-target';

/**
 * IPv6 forms that carry an IPv4 address (IPv4-compatible `::/96`, IPv4-mapped
 * `::ffff:0:0/96`, SIIT `::ffff:0:0:0/96`, 6to4 `2002::/16`, NAT64
 * `64:ff9b::/96`) reach that IPv4 address, so a webhook URL written with one is
 * judged by the address it embeds: internal ones refused, public ones allowed.
 */
const STRICT = { allowHttpLoopback: false, allowPrivate: false };

const refused: [form: string, host: string, embeds: string][] = [
  ['IPv4-compatible', '[::7f00:1]', '127.0.0.1'],
  ['IPv4-compatible', '[::a9fe:a9fe]', '169.254.169.254'],
  ['IPv4-compatible', '[::10.1.2.3]', '10.1.2.3'],
  ['IPv4-mapped', '[::ffff:a9fe:a9fe]', '169.254.169.254'],
  ['SIIT', '[::ffff:0:a9fe:a9fe]', '169.254.169.254'],
  ['SIIT', '[::ffff:0:7f00:1]', '127.0.0.1'],
  ['SIIT', '[::ffff:0:192.168.0.1]', '192.168.0.1'],
  ['6to4', '[2002:a9fe:a9fe::]', '169.254.169.254'],
  ['6to4', '[2002:7f00:1::1]', '127.0.0.1'],
  ['6to4', '[2002:c0a8:101:1::1]', '192.168.1.1'],
  ['6to4', '[2002:a00:1::]', '10.0.0.1'],
  ['NAT64', '[64:ff9b::a9fe:a9fe]', '169.254.169.254'],
  ['NAT64', '[64:ff9b::7f00:1]', '127.0.0.1'],
  ['NAT64', '[64:ff9b::172.16.0.1]', '172.16.0.1'],
  ['NAT64', '[64:ff9b::]', '0.0.0.0'],
];

const allowed: [form: string, host: string, embeds: string][] = [
  ['IPv4-compatible', '[::808:808]', '8.8.8.8'],
  ['SIIT', '[::ffff:0:808:808]', '8.8.8.8'],
  ['6to4', '[2002:5db8:d822::1]', '93.184.216.34'],
  ['NAT64', '[64:ff9b::5db8:d822]', '93.184.216.34'],
  ['plain IPv6', '[2606:4700:4700::1111]', '(none)'],
];

describe('webhook targets written as IPv6 with an IPv4 address inside', () => {
  it.each(refused)('refuses %s %s (%s)', async (_form, host) => {
    await expect(checkTargetOnSave(`https://${host}/hook`, STRICT)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it.each(allowed)('accepts %s %s (%s)', async (_form, host) => {
    await expect(checkTargetOnSave(`https://${host}/hook`, STRICT)).resolves.toBe(`https://${host}/hook`);
  });

  it('names a loopback one as loopback, and lets WEBHOOKS_ALLOW_PRIVATE allow the private ones', async () => {
    await expect(checkTargetOnSave('https://[2002:7f00:1::]/', STRICT)).rejects.toThrow(/loopback/);
    await expect(checkTargetOnSave('https://[64:ff9b::a00:1]/', { allowHttpLoopback: false, allowPrivate: true })).resolves.toBe('https://[64:ff9b::a00:1]/');
  });
});
