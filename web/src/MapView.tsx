// The map's canvas (Leaflet, loaded with the map page only), drawn as SVG with no tile server:
// the base is Natural Earth's country outlines (world-atlas, 1:110m) shipped in the bundle.
// A place is drawn as the area it may be anywhere in: a circle of its uncertainty's radius, so a
// province-level place covers its province and a site is a small disc. An asset is a dot at
// its place's point. A flight is an arc from
// where it left to where it went, with an arrowhead at the destination. Leaflet's map is on the
// holder element as `map`, so a test can read what is drawn.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { useEffect, useRef } from "react";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import countries from "world-atlas/countries-110m.json";

export type MapCircle = { id: string; name: string; latitude: number; longitude: number; radiusKm: number; precision: string; caption: string };
export type MapMarker = { id: string; name: string; latitude: number; longitude: number; caption: string };
export type MapArc = { id: string; name: string; from: [number, number]; to: [number, number]; start: number; caption: string };

/** A class naming the place (SVG paths carry no data attributes through Leaflet's options). */
function placeClass(id: string): string {
  return `place-id-${id.replace(/[^A-Za-z0-9-]/g, "-")}`;
}

/** Points along a gentle arc from `from` to `to` (a quadratic curve bowed to the left). */
function arcPoints(from: [number, number], to: [number, number], steps = 24): L.LatLngExpression[] {
  const [lat1, lon1] = from;
  const [lat2, lon2] = to;
  const bow = 0.2;
  const control: [number, number] = [(lat1 + lat2) / 2 + (lon2 - lon1) * bow, (lon1 + lon2) / 2 - (lat2 - lat1) * bow];
  const points: L.LatLngExpression[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, c = t * t;
    points.push([a * lat1 + b * control[0] + c * lat2, a * lon1 + b * control[1] + c * lon2]);
  }
  return points;
}

type Props = { circles: MapCircle[]; markers: MapMarker[]; arcs: MapArc[]; until: number | null; onOpen: (id: string) => void };

export function MapView({ circles, markers, arcs, until, onOpen }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<L.LayerGroup | null>(null);
  const arcLayers = useRef(new Map<string, { layer: L.Polyline; start: number }>());
  const handlers = useRef({ onOpen });
  handlers.current = { onOpen };

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const created = L.map(element, { preferCanvas: false, worldCopyJump: false, attributionControl: false, zoomControl: false, minZoom: 2, maxZoom: 10 });
    // The buttons show + and − from the style sheet, their names say the words: a lone symbol
    // as their text is one an accessibility check cannot judge against the name.
    L.control.zoom({ zoomInText: "", zoomInTitle: "Zoom in", zoomOutText: "", zoomOutTitle: "Zoom out" })
      .addTo(created);
    const topology = countries as unknown as Topology<{ countries: GeometryCollection }>;
    L.geoJSON(feature(topology, topology.objects.countries), {
      style: { className: "country", color: "#9aa5b1", weight: 0.7, fillColor: "#eef1f4", fillOpacity: 1 },
      interactive: false,
    }).addTo(created);
    created.setView([35, 30], 3);
    layers.current = L.layerGroup().addTo(created);
    map.current = created;
    Object.defineProperty(element, "map", { value: created, configurable: true });
    return () => {
      delete (element as { map?: L.Map }).map;
      created.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const drawn = map.current;
    const group = layers.current;
    const element = holder.current;
    if (!drawn || !group || !element) return;
    group.clearLayers();
    arcLayers.current.clear();
    const bounds = L.latLngBounds([]);
    for (const place of circles) {
      const circle = L.circle([place.latitude, place.longitude], {
        radius: place.radiusKm * 1000,
        className: `place place-${place.precision} ${placeClass(place.id)}`,
        color: "#3d9a50", weight: 1.5, fillColor: "#3d9a50", fillOpacity: place.precision === "site" || place.precision === "exact" ? 0.5 : 0.12,
      });
      circle.bindTooltip(`${place.name}: ${place.caption}`, { sticky: true });
      circle.on("click", () => handlers.current.onOpen(place.id));
      circle.addTo(group);
      if (place.precision !== "country") bounds.extend(circle.getBounds());
    }
    for (const asset of markers) {
      const marker = L.circleMarker([asset.latitude, asset.longitude], { radius: 5, className: "asset", color: "#1d232a", weight: 1, fillColor: "#2f7ed8", fillOpacity: 1 });
      marker.bindTooltip(`${asset.name}: ${asset.caption}`);
      marker.on("click", () => handlers.current.onOpen(asset.id));
      marker.addTo(group);
    }
    for (const arc of arcs) {
      const line = L.polyline(arcPoints(arc.from, arc.to), { className: "flight-arc", color: "#1f5fa8", weight: 2.5, opacity: 0.85 });
      line.bindTooltip(`${arc.name}: ${arc.caption}`, { sticky: true });
      line.on("click", () => handlers.current.onOpen(arc.id));
      line.addTo(group);
      const head = L.circleMarker(arc.to, { radius: 4, className: "flight-arrival", color: "#1f5fa8", fillOpacity: 1 });
      head.addTo(group);
      arcLayers.current.set(arc.id, { layer: line, start: arc.start });
      bounds.extend(arc.from).extend(arc.to);
    }
    if (bounds.isValid()) drawn.fitBounds(bounds, { padding: [30, 30], maxZoom: 7 });
    element.dataset.ready = "true";
  }, [circles, markers, arcs]);

  // The time slider: a flight shows once it may have begun.
  useEffect(() => {
    const element = holder.current;
    let shown = 0;
    for (const { layer, start } of arcLayers.current.values()) {
      const visible = until === null || start <= until;
      layer.setStyle({ opacity: visible ? 0.85 : 0 });
      layer.getElement()?.classList.toggle("not-yet", !visible);
      if (visible) shown++;
    }
    if (element) element.dataset.flightsShown = String(shown);
  }, [until, arcs]);

  return <div ref={holder} className="map-canvas" data-testid="map" />;
}
