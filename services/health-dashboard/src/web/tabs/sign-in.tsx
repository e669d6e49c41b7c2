import { type FormEvent, useState } from 'react';
import { Card, ErrorNote } from '../components/ui';
import { type SessionInfo, signIn } from '../session';

/** What the server's codes mean (server/auth/ha-sign-in.ts); the URL carries a code, never text to show. */
const HA_ERRORS: Record<string, string> = {
  ha_state: 'The Home Assistant sign-in expired or was not started here: try again.',
  ha_refused: 'Home Assistant refused the sign-in code: try again.',
  ha_token: 'Home Assistant did not confirm the sign-in.',
  ha_unreachable: 'Home Assistant is not reachable from HomeIQ.',
};

/** An error Home Assistant's sign-in sent back in the URL (/?sign_in_error=ha_state), shown once. */
function redirectError(): string | undefined {
  if (typeof window === 'undefined') return undefined;
  const code = new URLSearchParams(window.location.search).get('sign_in_error');
  if (code === null) return undefined;
  window.history.replaceState(null, '', window.location.pathname);
  return HA_ERRORS[code] ?? 'Sign-in with Home Assistant failed.';
}

/** The sign-in form: the API key or the dashboard password, and Home Assistant when it is set up. */
export function SignIn({ methods, onSignedIn }: { methods: SessionInfo['methods']; onSignedIn: () => void }) {
  const [method, setMethod] = useState<'api-key' | 'password'>(methods.password ? 'password' : 'api-key');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(redirectError);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await signIn(method, secret);
      setSecret('');
      onSignedIn();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const label = method === 'password' ? 'Dashboard password' : 'API key';
  return (
    <main className="sign-in" data-testid="sign-in">
      <Card title="Sign in to HomeIQ">
        <form onSubmit={submit} className="sign-in-form">
          {methods.password && (
            <fieldset className="toolbar">
              <legend className="muted">Sign in with</legend>
              <label>
                <input type="radio" checked={method === 'password'} onChange={() => setMethod('password')} /> Password
              </label>
              <label>
                <input type="radio" checked={method === 'api-key'} onChange={() => setMethod('api-key')} /> API key
              </label>
            </fieldset>
          )}
          <label className="sign-in-field">
            {label}
            <input
              type="password"
              autoComplete={method === 'password' ? 'current-password' : 'off'}
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              required
            />
          </label>
          <button type="submit" disabled={busy || secret === ''}>
            Sign in
          </button>
        </form>
        {methods.homeAssistant && (
          <p>
            <a className="button" href="/auth/ha/start">
              Sign in with Home Assistant
            </a>
          </p>
        )}
        <ErrorNote error={error} />
      </Card>
    </main>
  );
}
