/**
 * Cross-origin isolation: WebContainers need SharedArrayBuffer, which needs these two headers on
 * the page. Set on every response so any exercise page can boot one.
 */
export const isolationHeaders = {
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Headers every response of the course server carries. */
export const securityHeaders = {
  ...isolationHeaders,
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
