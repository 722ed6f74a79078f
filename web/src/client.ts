// The one GraphQL client: urql over HTTP to the public endpoint, subscriptions over graphql-ws
// on the same endpoint (opened only when a view subscribes).
import { createClient as createWsClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "urql";
import { authHeaders } from "./session";

export const ENDPOINT = "/graphql";

export function makeClient(token: string | null): Client {
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`;
  const ws = createWsClient({ url: wsUrl, lazy: true, connectionParams: () => authHeaders(token) });
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
