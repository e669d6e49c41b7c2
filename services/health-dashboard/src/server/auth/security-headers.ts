/**
 * Headers on every dashboard response. The app is one same-origin bundle (no inline script, no third-party
 * origin), so the policy allows 'self' only; React sets style properties through the DOM, which CSP allows.
 * frame-ancestors and X-Frame-Options stop clickjacking; no-referrer keeps URLs (OAuth codes) to this page.
 * base-uri 'self': index.html's <base href> is this origin's ('/' or Home Assistant's ingress prefix).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Under Home Assistant's ingress the page is a panel framed by Home Assistant's own page, which the browser sees
 * at the same origin (both are Home Assistant's): framing by that origin only, instead of by none.
 */
export const INGRESS_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'content-security-policy': (SECURITY_HEADERS['content-security-policy'] ?? '').replace(
    "frame-ancestors 'none'",
    "frame-ancestors 'self'",
  ),
  'x-frame-options': 'SAMEORIGIN',
};
