// The one GraphQL client: urql over HTTP to the public endpoint, subscriptions over graphql-ws
// on the same endpoint (opened only when a view subscribes). The socket is retried for ever
// (at most every RETRY_MAX_MS) unless the server refuses it with 4403.
import { CloseCode, createClient as createWsClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "urql";
import { reportLive } from "./liveStatus";
import { authHeaders } from "./session";

export const ENDPOINT = "/graphql";
const RETRY_MAX_MS = 5_000;

function codeOf(closed: unknown): unknown {
  return typeof closed === "object" && closed !== null ? (closed as { code?: unknown }).code : undefined;
}

function refused(closed: unknown): boolean {
  return codeOf(closed) === CloseCode.Forbidden;
}

/** Closed because no view listens any more (graphql-ws is lazy). */
function isNormal(closed: unknown): boolean {
  return codeOf(closed) === 1000;
}

export function makeClient(token: string | null): Client {
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`;
  const ws = createWsClient({
    url: wsUrl,
    lazy: true,
    connectionParams: () => authHeaders(token),
    retryAttempts: Infinity,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_MAX_MS, 500 * 2 ** retries))),
    shouldRetry: (closed) => !refused(closed),
    on: {
      connected: () => reportLive("connected"),
      closed: (closed) => reportLive(refused(closed) ? "refused" : isNormal(closed) ? "idle" : "reconnecting"),
    },
  });
  reportLive("idle");
  return new Client({
    url: ENDPOINT,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ],
    fetchOptions: () => ({ headers: authHeaders(token) }),
    preferGetMethod: false,
  });
}
