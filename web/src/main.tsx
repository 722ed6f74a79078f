// The analyst's app: every view has its own URL (/search?q=…, /entity/<id>, /event/<id>,
// /chart?focus=<id>…, /map?…).
import { StrictMode, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Link, Route, Routes, useLocation } from "react-router-dom";
import { Provider } from "urql";
import { makeClient } from "./client";
import { ChartPage } from "./ChartPage";
import { EntityPage } from "./EntityPage";
import { EventPage } from "./EventPage";
import { MapPage } from "./MapPage";
import { SearchBox, SearchPage } from "./Search";
import { storeToken, storedToken } from "./session";
import { SignIn } from "./SignIn";
import "./styles.css";

function Home() {
  return (
    <main className="home">
      <h1>eventgraph</h1>
      <p>Search for an actor, an asset, a place, a type of equipment or an event by any of its names.</p>
      <p>Try <Link to="/search?q=Hmeimim">Hmeimim</Link>.</p>
    </main>
  );
}

function SignInLink({ signedIn }: { signedIn: boolean }) {
  const here = useLocation();
  const next = here.pathname === "/sign-in" ? "/" : here.pathname + here.search;
  return (
    <Link to={`/sign-in?next=${encodeURIComponent(next)}`} className="sign-in-link">
      {signedIn ? "Signed in" : "Sign in"}
    </Link>
  );
}

function App() {
  const [token, setToken] = useState(storedToken);
  const client = useMemo(() => makeClient(token), [token]);
  function onToken(next: string | null) {
    storeToken(next);
    setToken(next);
  }
  return (
    <Provider value={client}>
      <header className="top">
        <Link to="/" className="brand">eventgraph</Link>
        <SearchBox />
        <Link to="/map">Map</Link>
        <SignInLink signedIn={token !== null} />
      </header>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route path="/search" element={<SearchPage />} />
        <Route path="/entity/:id" element={<EntityPage />} />
        <Route path="/event/:id" element={<EventPage />} />
        <Route path="/chart" element={<ChartPage />} />
        <Route path="/map" element={<MapPage />} />
        <Route path="/sign-in" element={<SignIn token={token} onToken={onToken} />} />
        <Route path="*" element={<main><h1>Not found</h1><p><Link to="/">Start here</Link>.</p></main>} />
      </Routes>
    </Provider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    {/* URL changes render at once, not as a transition: the controls that read their state
        from the URL (checkboxes, date fields) must show a click when it happens. */}
    <BrowserRouter useTransitions={false}>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
