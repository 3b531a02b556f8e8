// The service's `security/cors` block. krakend-ce wraps the whole router in the CORS handler
// (executor.go, DefaultRunServerFactory: krakend-cors gin.NewRunServerWithLogger), so a preflight is
// answered before any route, JWT check or rate limit sees it, whether a route serves OPTIONS or not.
import { ResolvedGatewaySpec } from '../resolve';
import { CorsConfig } from './types';

/**
 * The `security/cors` block, or undefined when CORS is off. Methods and headers are always written:
 * krakend-cors reads an empty `allow_headers` as any header (gin/cors.go, New), and rs/cors an empty
 * `allow_methods` as GET, POST and HEAD.
 */
export function corsConfig(spec: ResolvedGatewaySpec): CorsConfig | undefined {
  const cors = spec.cors;
  if (cors === undefined) return undefined;
  return {
    allow_origins: [...cors.allowOrigins],
    allow_methods: [...cors.allowMethods],
    allow_headers: [...cors.allowHeaders],
    ...(cors.exposeHeaders.length > 0 ? { expose_headers: [...cors.exposeHeaders] } : {}),
    ...(cors.allowCredentials ? { allow_credentials: true as const } : {}),
    // krakend-cors parses it with time.ParseDuration and sends whole seconds.
    ...(cors.maxAge ? { max_age: cors.maxAge.text } : {}),
  };
}
