// What went wrong, said for a person: the API's `extensions.code` (docs/graphql.md) decides.
import type { CombinedError } from "urql";
import { Link, useLocation } from "react-router-dom";
import { storedToken } from "./session";

export type Problem = { code: string; message: string };

export function problemOf(error: CombinedError): Problem {
  const first = error.graphQLErrors[0];
  const code = typeof first?.extensions?.code === "string" ? first.extensions.code : "";
  const status = (error.response as Response | undefined)?.status;
  if (code === "UNAUTHENTICATED" || status === 401) {
    const told = first?.message ?? "";
    const message = storedToken()
      ? `Your token was refused (401): ${told}. Sign in with another.`
      : `Sign in: this server needs a reader token (401). ${told}`;
    return { code: "UNAUTHENTICATED", message };
  }
  if (code === "FORBIDDEN" || status === 403) {
    return { code: "FORBIDDEN", message: "Your token may not read this (403). " + (first?.message ?? "") };
  }
  if (code === "GRAPH_STORE_UNAVAILABLE" || status === 503) {
    return { code: "GRAPH_STORE_UNAVAILABLE", message: "The graph store is unavailable: the server cannot reach Neo4j just now. Try again in a moment." };
  }
  if (error.networkError && !first) {
    return { code: "NETWORK", message: `The server did not answer: ${error.networkError.message}` };
  }
  return { code: code || "ERROR", message: first?.message ?? error.message };
}

export function ProblemNotice({ error }: { error: CombinedError }) {
  const problem = problemOf(error);
  const here = useLocation();
  const next = encodeURIComponent(here.pathname + here.search);
  const signIn = problem.code === "UNAUTHENTICATED" || problem.code === "FORBIDDEN";
  return (
    <div className="problem" role="alert" data-code={problem.code}>
      <p>{problem.message}</p>
      {signIn && <p><Link to={`/sign-in?next=${next}`}>Sign in with a token</Link></p>}
    </div>
  );
}
