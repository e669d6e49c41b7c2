/**
 * Headers on every dashboard response. The app is one same-origin bundle (no inline script, no third-party
 * origin), so the policy allows 'self' only; React sets style properties through the DOM, which CSP allows.
 * frame-ancestors and X-Frame-Options stop clickjacking; no-referrer keeps URLs (OAuth codes) to this page.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
};
