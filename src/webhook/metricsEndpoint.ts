// GET /metrics: the app's registry in Prometheus text format, behind `Authorization: Bearer
// <METRICS_TOKEN>` when a token is configured.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

export type MetricsEndpoint = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Equal-length digests, so the comparison takes the same time whatever the guess. */
const digest = (value: string) => createHash("sha256").update(value).digest();

export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1] ?? "";
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0;
}

export function createMetricsEndpoint(registry: Registry, token: string | undefined): MetricsEndpoint {
  return async (request, response) => {
    if (token !== undefined && !bearerTokenMatches(request.headers.authorization, token)) {
      response
        .writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="metrics"' })
        .end(JSON.stringify({ error: "a valid Authorization: Bearer token is required" }));
      return;
    }
    const body = await registry.metrics();
    response.writeHead(200, { "content-type": registry.contentType });
    response.end(request.method === "HEAD" ? undefined : body);
  };
}
