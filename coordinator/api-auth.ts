// The bearer token check for API calls that change the target list. Both sides are hashed before
// a constant-time compare, so neither the token's content nor its length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

/** True when no token is configured, or the Authorization header carries exactly that token. */
export function bearerTokenMatches(authorization: string | undefined, expected: string | undefined): boolean {
  if (expected === undefined) return true;
  if (authorization === undefined) return false;
  const m = /^Bearer[ \t]+(.+)$/i.exec(authorization.trim());
  if (m === null) return false;
  const given = createHash('sha256').update(m[1] as string).digest();
  const wanted = createHash('sha256').update(expected).digest();
  return timingSafeEqual(given, wanted);
}
