// Sign-in: a reader or editor token, entered once, kept for the browser session.
import { useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";

export function SignIn({ token, onToken }: { token: string | null; onToken: (token: string | null) => void }) {
  const [text, setText] = useState("");
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get("next");
  return (
    <main className="sign-in">
      <h1>Sign in</h1>
      <p>
        Paste a reader or editor token (an administrator makes one with <code>eventgraph token create</code>).
        It is kept for this browser tab's session only and sent as <code>Authorization: Bearer …</code>.
        Where the server allows anonymous read, no token is needed.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onToken(text.trim() || null);
          navigate(next && next.startsWith("/") ? next : "/");
        }}
      >
        <label>
          Token <input type="password" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} aria-label="Token" />
        </label>{" "}
        <button type="submit">Sign in</button>
      </form>
      {token && (
        <p>
          Signed in with a token. <button type="button" onClick={() => onToken(null)}>Sign out</button>
        </p>
      )}
    </main>
  );
}
