import { describe, expect, it } from 'vitest';
import { ipAllowed, originAllowed } from '../../server/lib/restrictions';

/** Pure checks of the restriction matchers verify and the preview use (no database needed). */
describe('IP restrictions', () => {
  it.each([
    // IPv4 addresses and ranges
    ['203.0.113.7', ['203.0.113.7'], true],
    ['203.0.113.8', ['203.0.113.7'], false],
    ['10.1.2.3', ['10.0.0.0/8'], true],
    ['11.0.0.1', ['10.0.0.0/8'], false],
    ['192.168.1.255', ['192.168.1.0/24'], true],
    ['192.168.2.0', ['192.168.1.0/24'], false],
    ['172.16.5.4', ['172.16.0.0/12'], true],
    ['172.32.0.1', ['172.16.0.0/12'], false],
    ['198.51.100.9', ['198.51.100.8/31'], true],
    ['198.51.100.10', ['198.51.100.8/31'], false],
    ['1.2.3.4', ['0.0.0.0/0'], true],
    ['10.1.2.3', ['10.9.9.9/8'], true], // host bits are cleared, as firewalls read it
    ['8.8.8.8', ['10.0.0.0/8', '8.8.8.0/24'], true],
    // IPv6 addresses and ranges
    ['2001:db8::1', ['2001:db8::/32'], true],
    ['2001:db9::1', ['2001:db8::/32'], false],
    ['2001:DB8:0:0:0:0:0:1', ['2001:db8::1'], true],
    ['2001:db8::1', ['2001:db8:0:0:0:0:0:1/128'], true],
    ['2001:db8::2', ['2001:db8::1'], false],
    ['fe80::1', ['fe80::/10'], true],
    ['fec0::1', ['fe80::/10'], false],
    ['::1', ['::1'], true],
    ['2001:db8:abcd:12::1', ['2001:db8:abcd:0010::/60'], true],
    ['2001:db8:abcd:20::1', ['2001:db8:abcd:0010::/60'], false],
    ['2001:db8::1', ['::/0'], true],
    // IPv4-mapped IPv6 addresses match their IPv4 range, and the other way round
    ['::ffff:1.2.3.4', ['1.2.3.0/24'], true],
    ['::ffff:1.2.4.4', ['1.2.3.0/24'], false],
    ['::FFFF:0102:0304', ['1.2.3.4'], true],
    ['0:0:0:0:0:ffff:1.2.3.4', ['1.2.3.4'], true],
    ['1.2.3.4', ['::ffff:1.2.3.4'], true],
    ['1.2.3.4', ['::ffff:1.2.3.0/120'], true],
    ['1.2.4.4', ['::ffff:1.2.3.0/120'], false],
    ['1.2.3.4', ['::ffff:0:0/96'], true],
    // A v4 range never matches a v6 address outside the mapped block, nor the reverse
    ['::1.2.3.4', ['1.2.3.4'], false],
    ['64:ff9b::102:304', ['1.2.3.0/24'], false],
    ['1.2.3.4', ['2001:db8::/32'], false],
    // Invalid input is never allowed
    ['', ['0.0.0.0/0'], false],
    ['not-an-ip', ['0.0.0.0/0', '::/0'], false],
    ['1.2.3', ['0.0.0.0/0'], false],
    ['1.2.3.256', ['0.0.0.0/0'], false],
    ['01.2.3.4', ['0.0.0.0/0'], false],
    ['1.2.3.4/32', ['0.0.0.0/0'], false],
    ['fe80::1%eth0', ['::/0'], false],
    ['1:2:3:4:5:6:7:8:9', ['::/0'], false],
    ['1::2::3', ['::/0'], false],
    ['1.2.3.4', [], false],
    ['1.2.3.4', ['1.2.3.4/33'], false],
    ['2001:db8::1', ['2001:db8::/129'], false],
    ['1.2.3.4', ['garbage', '1.2.3.4'], true],
  ] as const)('%s in %j: %s', (ip, ranges, allowed) => {
    expect(ipAllowed(ip, ranges)).toBe(allowed);
  });

  it('compiles a list once and still answers for each address', () => {
    const ranges = Array.from({ length: 50 }, (_, i) => `10.${i}.0.0/16`);
    expect(ipAllowed('10.49.3.4', ranges)).toBe(true);
    expect(ipAllowed('10.50.3.4', ranges)).toBe(false);
    expect(ipAllowed('::ffff:10.0.0.1', ranges)).toBe(true);
  });
});

describe('origin restrictions', () => {
  it.each([
    ['https://app.example.com', ['https://app.example.com'], true],
    ['https://APP.Example.com', ['https://app.example.com'], true],
    ['https://app.example.com:443', ['https://app.example.com'], true],
    ['https://app.example.com', ['https://app.example.com:443'], true],
    ['https://app.example.com:8443', ['https://app.example.com'], false],
    ['http://app.example.com', ['https://app.example.com'], false],
    ['https://other.example.com', ['https://app.example.com'], false],
    ['http://localhost:3000', ['http://localhost:3000'], true],
    ['http://localhost:3001', ['http://localhost:3000'], false],
    // One leading wildcard label: any subdomain, at any depth, never the domain itself
    ['https://a.example.com', ['https://*.example.com'], true],
    ['https://a.b.example.com', ['https://*.example.com'], true],
    ['https://example.com', ['https://*.example.com'], false],
    ['https://example.com.evil.test', ['https://*.example.com'], false],
    ['https://evil-example.com', ['https://*.example.com'], false],
    ['https://aexample.com', ['https://*.example.com'], false],
    ['http://a.example.com', ['https://*.example.com'], false],
    ['https://a.example.com:8443', ['https://*.example.com'], false],
    ['https://a.example.com:8443', ['https://*.example.com:8443'], true],
    // Not origins: never allowed
    ['null', ['https://*.example.com'], false],
    ['', ['https://app.example.com'], false],
    ['https://app.example.com/', ['https://app.example.com'], false],
    ['https://app.example.com/path', ['https://app.example.com'], false],
    ['https://user@app.example.com', ['https://app.example.com'], false],
    ['https://*.example.com', ['https://*.example.com'], false],
    ['app.example.com', ['https://app.example.com'], false],
    ['https://app.example.com', [], false],
  ] as const)('%s against %j: %s', (origin, patterns, allowed) => {
    expect(originAllowed(origin, patterns)).toBe(allowed);
  });
});
