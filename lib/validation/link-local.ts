// Link-local hosts in URL fields: the range of the cloud metadata endpoints, which hand out the
// node's credentials to whoever asks from the node, refused unless the entry opts in.
import { linkLocalReason } from '../grammar/destinations';
import { HttpUrl } from '../grammar/urls';
import { show } from '../grammar/values';
import { Checker } from './checker';

/**
 * A link-local host (the cloud metadata endpoints and the node credentials they hand out) only with
 * the entry's `allowLinkLocal: true`, and that opt-in only where it allows something. `p` is the
 * entry (a route or an auth policy), `field` its URL field.
 */
export function checkLinkLocal(c: Checker, p: string, field: string, url: HttpUrl, allowed: unknown): void {
  checkLinkLocalUrls(c, p, [{ field, url }], allowed);
}

/** The same over several URL fields of one entry (a composed route's backends): the opt-in must allow one of them. */
export function checkLinkLocalUrls(c: Checker, p: string, urls: readonly { field: string; url: HttpUrl }[], allowed: unknown): void {
  let linkLocal = false;
  for (const { field, url } of urls) {
    const reason = linkLocalReason(url);
    if (reason === undefined) continue;
    linkLocal = true;
    if (allowed !== true)
      c.add(
        `${p}.${field}`,
        `is ${reason} ${got(url)} — 169.254.0.0/16 and fe80::/10 hold the cloud metadata endpoints (169.254.169.254, ECS's 169.254.170.2) ` +
          `and the node's credentials; use another host, or set allowLinkLocal: true beside ${field} if this is meant`,
      );
  }
  if (linkLocal || allowed !== true || urls.length === 0) return;
  const what = urls.length === 1 ? `the ${urls[0].field} is not link-local` : `none of ${urls.map((u) => u.field).join(', ')} is link-local`;
  c.add(`${p}.allowLinkLocal`, `allows nothing: ${what} ${got(urls[0].url)} — remove it`);
}

function got(url: HttpUrl): string {
  return `(got ${show(`${url.scheme}://${url.hostname}${url.port === undefined ? '' : `:${url.port}`}`)})`;
}
