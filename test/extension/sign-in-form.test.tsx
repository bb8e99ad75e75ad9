import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SignInForm } from '../../extension/components/SignInForm';
import { deviceTokenFor, rememberDeviceToken, sessionItem } from '../../extension/lib/storage';

/**
 * The sign-in form against a scripted server (fetch): it hands back the attempt id the request
 * answered, and keeps and sends the device token of the last sign-in per server and email.
 */
const SERVER = 'http://kw.test';
const ATTEMPT = 'attempt-0123456789abcdef';
const DEVICE = 'device-token-0123456789abcdefghijklmnopqrstu';
const NEXT_DEVICE = 'device-token-next-0123456789abcdefghijklmnop';

let calls: { path: string; input: Record<string, unknown> }[];

beforeEach(() => {
  fakeBrowser.reset();
  calls = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
    const path = new URL(String(url)).pathname;
    const input = (JSON.parse(String(init?.body)) as { json: Record<string, unknown> }).json;
    calls.push({ path, input });
    const answer =
      path === '/trpc/auth.requestCode'
        ? { sent: true, message: 'A sign-in code is on its way.', attemptId: ATTEMPT }
        : { token: 'session-token', deviceToken: NEXT_DEVICE, user: { id: 'usr_me', email: 'me@example.test', name: 'Me' }, teams: [] };
    return Response.json({ result: { data: { json: answer } } });
  });
});
afterEach(() => vi.restoreAllMocks());

async function signIn(email: string) {
  render(<SignInForm serverUrl={SERVER} reason={null} />);
  fireEvent.input(screen.getByLabelText('Work email'), { target: { value: email } });
  fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in code' }));
  fireEvent.input(await screen.findByLabelText(/Sign-in code sent to/), { target: { value: 'abcd-1234' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  await waitFor(async () => expect(await sessionItem.getValue()).not.toBeNull());
}

describe('SignInForm', () => {
  it('sends the code with the attempt id its request answered, and keeps the device token it is given', async () => {
    await signIn('Me@Example.test');
    expect(calls).toEqual([
      { path: '/trpc/auth.requestCode', input: { email: 'me@example.test' } },
      { path: '/trpc/auth.verifyCode', input: { email: 'me@example.test', code: 'ABCD1234', attemptId: ATTEMPT } },
    ]);
    expect(await deviceTokenFor(SERVER, 'me@example.test')).toBe(NEXT_DEVICE);
    expect((await sessionItem.getValue())?.token).toBe('session-token');
  });

  it("asks with the device token of this browser's last sign-in as that email on that server, and replaces it", async () => {
    await rememberDeviceToken(SERVER, 'me@example.test', DEVICE);
    await rememberDeviceToken('http://other.test', 'me@example.test', 'device-token-of-another-server-0123456789ab');
    await signIn('me@example.test');
    expect(calls[0]).toEqual({ path: '/trpc/auth.requestCode', input: { email: 'me@example.test', deviceToken: DEVICE } });
    expect(await deviceTokenFor(SERVER, 'me@example.test')).toBe(NEXT_DEVICE);
    expect(await deviceTokenFor('http://other.test', 'me@example.test')).toBe('device-token-of-another-server-0123456789ab');
  });

  it("never sends another email's device token", async () => {
    await rememberDeviceToken(SERVER, 'someone-else@example.test', DEVICE);
    await signIn('me@example.test');
    expect(calls[0]!.input).toEqual({ email: 'me@example.test' });
  });
});
