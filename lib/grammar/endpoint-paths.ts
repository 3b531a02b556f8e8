// What a KrakenD endpoint path may hold: shared by prefix validation and the lint of rendered configs.

/**
 * A character a literal endpoint segment may not hold: anything but RFC 3986 path characters, and
 * KrakenD's and gin's own syntax (`*` wildcards are Enterprise-only and CE panics on them at start;
 * `?`, `&` and `%` are refused by lura; `{ }` and `:` are parameter syntax).
 */
export const UNROUTABLE_CHAR = /[^A-Za-z0-9\-._~!$'()+,;=@]/;

/** Segments lura refuses anywhere in an endpoint, not only at its start (its own handlers live there). */
export const RESERVED_SEGMENT = /\/__(health|debug|echo)(\/|$)/;
