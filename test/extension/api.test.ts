import { describe, expect, it, vi } from 'vitest';
import { createApi } from '../../extension/lib/api';

describe('createApi', () => {
  it('sends a query holding a key as a POST body, never in the URL', async () => {
    const fetchImpl = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => Response.json({ result: { data: { json: null } } }));
    await createApi('http://kw.test/', 'tok', fetchImpl).keys.findByValue.query({ teamId: 'team_1', key: 'kw_secret' });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(String(url)).toBe('http://kw.test/trpc/keys.findByValue');
    expect(init?.method).toBe('POST');
    expect(String(init?.body)).toContain('kw_secret');
  });
});
