/**
 * Raw HTTP calls to a test server, for tests that need status codes, headers or
 * request headers of their own (request limits, usage by address).
 */
export const ALL_VIEWS = ['enabled', 'disabled', 'revoked'] as const;

/** A raw tRPC call (POST, as our clients send queries), so the test sees status and headers. */
export function trpcPost(base: string, path: string, token: string | null, input: unknown, query = '') {
  return fetch(`${base}/trpc/${path}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ json: input }),
  });
}

/** POST /v1/keys/verify with extra request headers; the response as it came. */
export const verifyRaw = (base: string, key: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ key }) });

/** POST /v1/keys/verify with extra request headers; the answer's body. */
export async function verifyAnswer(target: { url: string }, key: string, headers: Record<string, string> = {}) {
  const res = await verifyRaw(target.url, key, headers);
  return (await res.json()) as { valid: boolean; code?: string };
}

/** `n` verifies of one key, one after the other. */
export async function verifyTimes(target: { url: string }, key: string, n: number, headers: Record<string, string> = {}) {
  for (let i = 0; i < n; i++) await verifyAnswer(target, key, headers);
}
