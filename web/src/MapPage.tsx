// The map at /map: every place drawn as the area it may be in (its point and the radius of its
// uncertainty), the assets as dots at their places, and the flights as arcs from origin to destination,
// events outside a window left out (`from`, `to`) and a time slider (`until`) that shows the
// flights that may have begun by then. All of it is in the URL.
import { Suspense, lazy, useMemo } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { label, pathOf, timeText } from "./format";
import type { MapArc, MapCircle, MapMarker } from "./MapView";
import { DateWindowFields, dateWindowOf } from "./DateWindow";
import { ProblemNotice } from "./problems";
import { MAP_FLIGHTS, MAP_PLACES, type FlightEnd, type GeoPoint, type MapAsset, type MapFlight, type MapPlace } from "./queries";

// Leaflet and the country outlines are loaded with this page only.
const MapView = lazy(() => import("./MapView").then((m) => ({ default: m.MapView })));

const DAY = 86_400_000;

function instant(text: string | null): number | null {
  return text ? Date.parse(text.replace(/(\.\d{3})\d+/, "$1")) : null;
}

function pointOf(end: FlightEnd): GeoPoint | null {
  return end?.point ?? end?.locatedAt?.point ?? null;
}

function caption(point: GeoPoint): string {
  const known = point.precision ? `known to the ${point.precision}` : "precision not stated";
  return point.uncertaintyKm != null ? `${known}, within ${point.uncertaintyKm} km` : `${known}, radius not stated`;
}

function circleOf(place: MapPlace): MapCircle | null {
  if (!place.point) return null;
  return {
    id: place.id, name: place.name, latitude: place.point.latitude, longitude: place.point.longitude,
    // Without a stated uncertainty the disc is a marker's size: it says nothing of the area.
    radiusKm: place.point.uncertaintyKm ?? 1, precision: place.point.precision ?? "unknown", caption: caption(place.point),
  };
}

export function MapPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const { from, to, window } = dateWindowOf(params);
  const [places] = useQuery<{ locations: { nodes: MapPlace[] }; assets: { nodes: MapAsset[] } }>({ query: MAP_PLACES });
  const [flights] = useQuery<{ events: { totalCount: number; nodes: MapFlight[] } }>({ query: MAP_FLIGHTS, variables: { window } });

  const circles = useMemo(
    () => (places.data?.locations.nodes ?? []).map(circleOf).filter((c): c is MapCircle => c !== null),
    [places.data],
  );
  const markers = useMemo(() => {
    const drawn: MapMarker[] = [];
    for (const asset of places.data?.assets.nodes ?? []) {
      const point = asset.locatedAt?.point;
      if (point) drawn.push({ id: asset.id, name: asset.name, latitude: point.latitude, longitude: point.longitude, caption: `${label(asset.assetKind)} at ${asset.locatedAt!.name}` });
    }
    return drawn;
  }, [places.data]);
  const arcs = useMemo(() => {
    const drawn: MapArc[] = [];
    for (const flight of flights.data?.events.nodes ?? []) {
      const a = pointOf(flight.origin), b = pointOf(flight.destination);
      const start = instant(flight.time.start) ?? instant(flight.time.end);
      if (!a || !b || start === null) continue;
      drawn.push({
        id: flight.id, name: flight.name, from: [a.latitude, a.longitude], to: [b.latitude, b.longitude], start,
        caption: `${flight.origin?.name} → ${flight.destination?.name}, ${timeText(flight.time)}`,
      });
    }
    return drawn;
  }, [flights.data]);
  const unplaced = (flights.data?.events.nodes.length ?? 0) - arcs.length;

  const starts = arcs.map((a) => a.start);
  const first = starts.length ? Math.min(...starts) : null;
  const last = starts.length ? Math.max(...starts) : null;
  const requested = instant(params.get("until"));
  const until = requested !== null && Number.isFinite(requested) ? requested : null;

  function setParam(key: string, value: string | null) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }

  const error = places.error ?? flights.error;
  return (
    <main className="map-page">
      <h1>Map</h1>
      <div className="chart-controls">
        <DateWindowFields legend="Flights between" from={from} to={to} onChange={setParam} />
        {first !== null && last !== null && (
          <fieldset className="slider">
            <legend>Flights begun by</legend>
            <input
              type="range"
              aria-label="Flights begun by"
              min={first - DAY}
              max={last + DAY}
              step={3_600_000}
              value={until ?? last + DAY}
              onChange={(e) => setParam("until", new Date(Number(e.target.value)).toISOString())}
            />{" "}
            <output>{new Date(until ?? last + DAY).toISOString().slice(0, 16).replace("T", " ")} UTC</output>
          </fieldset>
        )}
      </div>
      {error && <ProblemNotice error={error} />}
      <figure className="map-figure" aria-label="Places and flights">
      <Suspense fallback={<p>Loading the map…</p>}>
        <MapView circles={circles} markers={markers} arcs={arcs} until={until} onOpen={(id) => navigate(pathOf({ __typename: id.split(":")[0], id }) ?? "/")} />
      </Suspense>
      <figcaption className="legend">
        <span className="legend-entry"><span className="swatch map-area" /> where a place may be: its point and its uncertainty's radius (a province-level place covers its province)</span>
        <span className="legend-entry"><span className="edge-swatch" style={{ borderTopColor: "#1f5fa8" }} /> a flight, origin → destination (the dot)</span>
      </figcaption>
      </figure>
      {unplaced > 0 && <p className="note">{unplaced} flights have no known origin or destination point and are not drawn.</p>}
      <section>
        <h2>Places</h2>
        <ul className="event-list">
          {(places.data?.locations.nodes ?? []).filter((p) => p.point).map((p) => (
            <li key={p.id}><Link to={pathOf({ __typename: "Location", id: p.id })!}>{p.name}</Link> <span className="kind">{label(p.locationKind)}</span> — {caption(p.point!)}</li>
          ))}
        </ul>
      </section>
    </main>
  );
}
