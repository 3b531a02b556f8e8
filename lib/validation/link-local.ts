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
  const reason = linkLocalReason(url);
  const got = `(got ${show(`${url.scheme}://${url.hostname}${url.port === undefined ? '' : `:${url.port}`}`)})`;
  if (reason !== undefined && allowed !== true) {
    c.add(
      `${p}.${field}`,
      `is ${reason} ${got} — 169.254.0.0/16 and fe80::/10 hold the cloud metadata endpoints (169.254.169.254, ECS's 169.254.170.2) ` +
        `and the node's credentials; use another host, or set allowLinkLocal: true beside ${field} if this is meant`,
    );
  } else if (reason === undefined && allowed === true) {
    c.add(`${p}.allowLinkLocal`, `allows nothing: the ${field} is not link-local ${got} — remove it`);
  }
}
