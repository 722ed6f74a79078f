"""How cytoscape.js copes at the link chart's sizes (web/src/LinkChart.tsx), in Debian's headless
Chromium: one batched add, the layout the chart picks for that size (cose up to 150 nodes,
concentric rings past that) against cose, and the frame times of 60 zoom-and-pan steps after it.

`.venv/bin/python -m bench.chart_layouts` prints one JSON line per run. The graphs are random
trees with half as many extra edges as nodes, so every node is reachable from the focus.
"""

import json
from typing import Any

from playwright.sync_api import sync_playwright

from eventgraph.graph.settings import PROJECT_ROOT
from tests.browsing import CHROMIUM, CHROMIUM_FLAGS

CYTOSCAPE = PROJECT_ROOT / "web" / "node_modules" / "cytoscape" / "dist" / "cytoscape.min.js"
RUNS = ((150, "cose"), (500, "concentric"), (500, "cose"))

MEASURE = """([n, layoutName]) => {
  const cy = cytoscape({ container: document.getElementById("chart"),
    style: [{ selector: "node", style: { label: "data(id)", "min-zoomed-font-size": 7 } }] });
  const elements = [];
  for (let i = 0; i < n; i++) elements.push({ group: "nodes", data: { id: "n" + i } });
  for (let i = 1; i < n; i++) {
    const source = "n" + Math.floor(Math.random() * i);
    elements.push({ group: "edges", data: { id: "t" + i, source, target: "n" + i } });
  }
  for (let i = 0; i < n / 2; i++) {
    const source = "n" + Math.floor(Math.random() * n);
    const target = "n" + Math.floor(Math.random() * n);
    elements.push({ group: "edges", data: { id: "x" + i, source, target } });
  }
  let started = performance.now();
  cy.batch(() => cy.add(elements));
  const add = performance.now() - started;
  started = performance.now();
  const depth = new Map();
  cy.elements().breadthFirstSearch({ root: cy.getElementById("n0"),
    visit: (node, edge, previous, i, d) => void depth.set(node.id(), d) });
  const options = layoutName === "cose"
    ? { name: "cose", animate: false, randomize: true }
    : { name: "concentric", animate: false, levelWidth: () => 1,
        concentric: (node) => 10 - Math.min(depth.get(node.id()) ?? 9, 9) };
  cy.layout(options).run();
  const layout = performance.now() - started;
  return new Promise((resolve) => {
    const frames = [];
    let last = performance.now();
    const step = () => {
      const now = performance.now();
      frames.push(now - last);
      last = now;
      cy.zoom({ level: cy.zoom() * 1.02, renderedPosition: { x: 400, y: 300 } });
      cy.panBy({ x: 3, y: 2 });
      if (frames.length < 60) return requestAnimationFrame(step);
      frames.sort((a, b) => a - b);
      cy.destroy();
      resolve({ nodes: n, edges: elements.length - n, layout: layoutName,
        add_ms: Math.round(add), layout_ms: Math.round(layout),
        median_frame_ms: +frames[30].toFixed(1), p95_frame_ms: +frames[56].toFixed(1) });
    };
    requestAnimationFrame(step);
  });
}"""


def measure() -> list[dict[str, Any]]:
    """Each run of RUNS, measured in one page."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 700})
        page.set_content("<div id=chart style='width:1000px;height:600px'></div>")
        page.add_script_tag(content=CYTOSCAPE.read_text())
        results = [page.evaluate(MEASURE, [nodes, layout]) for nodes, layout in RUNS]
        browser.close()
    return results


if __name__ == "__main__":
    for result in measure():
        print(json.dumps(result))
