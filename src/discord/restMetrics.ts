// Counts every REST request discord.js makes, by templated route and status, and Discord's 429s by
// scope. Routes carry ids and interaction/webhook tokens: they are templated before they become
// label values.
import type { REST } from "discord.js";
import type { Metrics } from "../metrics.js";

/** Path segments that are part of a route's name, not a value in it. */
const ROUTE_WORD = /^(@[a-z]+|[a-z][a-z_-]{0,31})$/;

/**
 * "PATCH /webhooks/:id/:token/messages/@original" for
 * "PATCH /webhooks/1234/aW50ZXJhY3Rpb24.../messages/@original": every id becomes `:id`, the
 * token after `/webhooks/<id>/` or `/interactions/<id>/` becomes `:token`, the query is dropped.
 */
export function discordRouteTemplate(method: string, path: string): string {
  const segments = (path.split("?")[0] ?? "").split("/");
  const templated = segments.map((segment, index) => {
    if (index === 0) return segment;
    const grandparent = segments[index - 2];
    if (grandparent === "webhooks" || grandparent === "interactions") return ":token";
    return ROUTE_WORD.test(segment) ? segment : ":id";
  });
  return `${method.toUpperCase()} ${templated.join("/")}`;
}

/** The scope of a 429: "global" when Discord says so, else its X-RateLimit-Scope (user, shared). */
export function rateLimitScope(headers: { get(name: string): string | null }): string {
  if (headers.get("x-ratelimit-global") !== null) return "global";
  const scope = headers.get("x-ratelimit-scope");
  return scope === "shared" || scope === "global" ? scope : "user";
}

export function countDiscordRequests(
  rest: REST,
  metrics: Pick<Metrics, "discordRequests" | "rateLimited">,
): void {
  const count = discordResponseCounter(metrics);
  rest.on("response", (request, response) =>
    count(request.method, String(request.path), response.status, response.headers),
  );
}

/** Counts one answer from Discord to a request made without discord.js (the message editor's). */
export function discordResponseCounter(metrics: Pick<Metrics, "discordRequests" | "rateLimited">) {
  return (method: string, path: string, status: number, headers: { get(name: string): string | null }) => {
    metrics.discordRequests.inc({ route: discordRouteTemplate(method, path), status: String(status) });
    if (status === 429) metrics.rateLimited.inc({ scope: rateLimitScope(headers) });
  };
}
