// The token an analyst signs in with: kept for the browser session only (sessionStorage), sent
// as `Authorization: Bearer <token>` over HTTP and in graphql-ws's `connection_init` payload,
// as the API expects (api/auth.py).

const KEY = "eventgraph.token";

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
