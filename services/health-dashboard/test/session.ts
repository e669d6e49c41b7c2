/** Signs in to a dashboard at `base` as its own page would (same Origin) and returns the session cookie pair. */
export async function signIn(
  base: string,
  secret: string,
  method: 'api-key' | 'password' = 'api-key',
): Promise<string> {
  const res = await fetch(`${base}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ method, secret }),
  });
  if (res.status !== 204) throw new Error(`sign-in failed: HTTP ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('sign-in set no cookie');
  return cookie;
}
