import { useState } from 'preact/hooks';
import { RequestCodeInput, VerifyCodeInput } from '../../shared/schemas/auth';
import { createApi } from '../lib/api';
import { describeSignInError, type Problem } from '../lib/errors';
import { deviceTokenFor, rememberDeviceToken, sessionItem, signOutReasonItem } from '../lib/storage';
import { ProblemBox } from './ProblemBox';

/**
 * Sign-in by emailed code: the same zod schemas as the server validate the form. The code works
 * only with the attempt id its request answered, and the device token of this browser's last
 * sign-in as the email goes with the request (README, Sign-in security).
 */
export function SignInForm({ serverUrl, reason }: { serverUrl: string; reason: 'expired' | 'signed_out' | null }) {
  const [step, setStep] = useState<'email' | 'code'>('email');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  // The last request's attempt: its code works only with this id, and stays usable after going back to the email.
  const [attempt, setAttempt] = useState<{ email: string; id: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const api = createApi(serverUrl, null);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await fn();
    } catch (err) {
      setProblem(describeSignInError(err, serverUrl));
    } finally {
      setBusy(false);
    }
  };

  const requestCode = (e: Event) => {
    e.preventDefault();
    const parsed = RequestCodeInput.safeParse({ email });
    if (!parsed.success) return setProblem({ kind: 'invalid', message: 'Enter a valid email address.' });
    void run(async () => {
      const deviceToken = await deviceTokenFor(serverUrl, parsed.data.email);
      const answer = await api.auth.requestCode.mutate(deviceToken ? { ...parsed.data, deviceToken } : parsed.data);
      setAttempt({ email: parsed.data.email, id: answer.attemptId });
      setInfo(answer.message);
      setStep('code');
    });
  };

  const verify = (e: Event) => {
    e.preventDefault();
    const parsed = VerifyCodeInput.safeParse({ email, code, attemptId: attempt?.id ?? '' });
    if (!parsed.success) return setProblem({ kind: 'invalid', message: 'The code is the 8 letters and digits from the email, like ABCD-1234.' });
    void run(async () => {
      const result = await api.auth.verifyCode.mutate(parsed.data);
      await rememberDeviceToken(serverUrl, parsed.data.email, result.deviceToken);
      await signOutReasonItem.setValue(null);
      await sessionItem.setValue({ token: result.token, serverUrl, user: result.user, teams: result.teams });
    });
  };

  return (
    <section class="card" aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      {reason === 'expired' ? <p class="notice">Your session has expired. Sign in again.</p> : null}
      {step === 'email' ? (
        <form onSubmit={requestCode} noValidate>
          <label class="field">
            <span>Work email</span>
            <input type="email" name="email" autoComplete="email" value={email} onInput={(e) => (setEmail(e.currentTarget.value), setProblem((p) => (p?.kind === 'invalid' ? null : p)))} required />
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Sending…' : 'Email me a sign-in code'}
          </button>
          {attempt && RequestCodeInput.safeParse({ email }).data?.email === attempt.email ? (
            <button type="button" class="btn btn-link" onClick={() => (setStep('code'), setProblem(null))}>
              Enter the code already sent
            </button>
          ) : null}
        </form>
      ) : (
        <form onSubmit={verify} noValidate>
          <p class="hint" role="status">
            {info}
          </p>
          <label class="field">
            <span>Sign-in code sent to {email}</span>
            <input name="code" autoComplete="one-time-code" autoCapitalize="characters" spellcheck={false} maxLength={12} placeholder="ABCD-1234" value={code} onInput={(e) => (setCode(e.currentTarget.value), setProblem((p) => (p?.kind === 'wrong_code' || p?.kind === 'invalid' ? null : p)))} required />
          </label>
          <div class="row">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <button type="button" class="btn btn-link" onClick={() => (setStep('email'), setCode(''), setProblem(null))}>
              Use another email
            </button>
          </div>
        </form>
      )}
      {problem ? <ProblemBox problem={problem} /> : null}
    </section>
  );
}
