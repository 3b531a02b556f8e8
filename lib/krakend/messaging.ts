// The endpoints of a messaging route (`pubsub`): one per method at the route's prefix, whose backend
// is krakend-pubsub's publisher or subscriber (krakend-pubsub client.go, BackendFactory.New: the
// backend's extra_config names it, `host[0]` + the URL is what gocloud.dev opens). The broker's
// address is not here: each driver reads it from its environment variable (lib/kubernetes/deployment.ts).
import { krakendTopicUrl } from '../grammar/topics';
import { ResolvedMessagingRoute } from '../resolve';
import { jwtCelChecks } from './cel';
import { translatedBackend, translatedEndpoint } from './encoding';
import { renderJwtValidator } from './jwt';
import { renderRateLimit } from './ratelimit';
import { BackendExtraConfig, EndpointExtraConfig, KrakendEndpoint } from './types';

/**
 * The route's endpoints. What the publisher sends as the message's metadata is the backend request's
 * headers, the first value of each (client.go, initPublisher): the route's `input_headers`, the
 * identity headers krakend-jose wrote from the token over any client copy, and lura's own
 * (User-Agent, X-Forwarded-For, X-Forwarded-Host).
 */
export function messagingEndpoints(route: ResolvedMessagingRoute, serviceTimeout: string, inputHeaders: readonly string[]): KrakendEndpoint[] {
  const auth = route.authPolicy;
  const limit = route.rateLimit;
  const topicUrl = krakendTopicUrl(route.topicUrl);
  const extra: BackendExtraConfig =
    route.role === 'publish'
      ? { 'backend/pubsub/publisher': { topic_url: topicUrl } }
      : { 'backend/pubsub/subscriber': { subscription_url: topicUrl } };
  const jwtCel = auth ? jwtCelChecks(auth) : [];
  const extraConfig: EndpointExtraConfig | undefined =
    auth || limit
      ? {
          ...(auth ? { 'auth/validator': renderJwtValidator(auth) } : {}),
          ...(limit ? { 'qos/ratelimit/router': renderRateLimit(limit) } : {}),
          ...(jwtCel.length > 0 ? { 'validation/cel': jwtCel } : {}),
        }
      : undefined;
  const timeout = route.timeout.text !== serviceTimeout ? route.timeout.text : undefined;
  return route.methods.map((method) => ({
    endpoint: route.prefix,
    ...(method === 'GET' ? {} : { method }),
    ...(timeout ? { timeout } : {}),
    // The service's no-op would make lura hand the subscriber's decoded message to a render that writes no body.
    ...translatedEndpoint(route.translation),
    input_headers: [...inputHeaders],
    input_query_strings: [],
    backend: [
      {
        // The driver's scheme alone: lura would otherwise sanitize it into an http URL (krakend.io/docs/backends/pubsub).
        host: [`${route.topicUrl.driver}://`],
        disable_host_sanitize: true,
        // Required by KrakenD's schema, and not read by the pubsub backends.
        url_pattern: '/',
        ...translatedBackend(route.translation),
        extra_config: extra,
      },
    ],
    ...(extraConfig ? { extra_config: extraConfig } : {}),
  }));
}
