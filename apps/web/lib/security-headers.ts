/** The headers every answer carries (next.config.ts sends them; lib/guard.ts adds them to its own refusals). */

/**
 * The Content-Security-Policy the app runs under: everything from this origin only; no plugins,
 * frames or foreign forms. Next.js inlines its hydration scripts and CodeMirror its styles, hence
 * 'unsafe-inline' for those two (a nonce per request would make every page dynamic). No eval in production.
 */
const CSP = [
  "default-src 'self'",
  // `next dev` evaluates its hot-reload code; a production build never does.
  `script-src 'self' 'unsafe-inline'${process.env['NODE_ENV'] === 'production' ? '' : " 'unsafe-eval'"}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS = [
  { key: 'Content-Security-Policy', value: CSP },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];
