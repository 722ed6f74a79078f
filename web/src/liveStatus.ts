// How the live connection (graphql-ws on /graphql) stands, for the views that show live events.
// The client (client.ts) reports; views read it with useLiveStatus. A refusal (4403: no token,
// or a token the server does not take) is final until the token changes; anything else (a
// server restart, a dropped socket) is retried quietly.
import { useSyncExternalStore } from "react";

export type LiveStatus = "idle" | "connected" | "reconnecting" | "refused";

let status: LiveStatus = "idle";
const listeners = new Set<() => void>();

export function reportLive(next: LiveStatus): void {
  if (next === status) return;
  status = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribe, () => status);
}
