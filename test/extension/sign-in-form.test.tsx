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
/** Code requests after this many are refused as the server does over a limit. */
let requestsAllowed: number;
const REFUSED = 'Too many sign-in codes were requested for this email. Use a code already emailed (each is valid for 10 minutes), or try again in 9 minutes.';

beforeEach(() => {
  fakeBrowser.reset();
  calls = [];
  requestsAllowed = Infinity;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
    const path = new URL(String(url)).pathname;
    const input = (JSON.parse(String(init?.body)) as { json: Record<string, unknown> }).json;
    calls.push({ path, input });
    if (path === '/trpc/auth.requestCode' && calls.filter((c) => c.path === path).length > requestsAllowed) {
      return Response.json({ error: { json: { message: REFUSED, code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 } } } }, { status: 429 });
    }
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

  it('goes back to the code already sent when a new request is refused, and uses that attempt', async () => {
    requestsAllowed = 1;
    render(<SignInForm serverUrl={SERVER} reason={null} />);
    fireEvent.input(screen.getByLabelText('Work email'), { target: { value: 'me@example.test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in code' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Use another email' }));
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in code' }));
    await screen.findByText(REFUSED);

    fireEvent.click(screen.getByRole('button', { name: 'Enter the code already sent' }));
    fireEvent.input(await screen.findByLabelText(/Sign-in code sent to/), { target: { value: 'abcd-1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(async () => expect(await sessionItem.getValue()).not.toBeNull());
    expect(calls.at(-1)).toEqual({ path: '/trpc/auth.verifyCode', input: { email: 'me@example.test', code: 'ABCD1234', attemptId: ATTEMPT } });
  });

  it('offers no code step for an email it has not asked a code for', async () => {
    render(<SignInForm serverUrl={SERVER} reason={null} />);
    fireEvent.input(screen.getByLabelText('Work email'), { target: { value: 'me@example.test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in code' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Use another email' }));
    expect(screen.getByRole('button', { name: 'Enter the code already sent' })).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Work email'), { target: { value: 'other@example.test' } });
    expect(screen.queryByRole('button', { name: 'Enter the code already sent' })).toBeNull();
  });
});
