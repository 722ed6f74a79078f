"""STIX 2.1 in and out: `mapping` (what maps to what), `reading` (the feed format
`stix-bundle`), `writing` (`bundle_of`, for `eventgraph export --format stix`).

The feeds package is loaded first: it registers the reader among its formats.
"""

from eventgraph.graph import feeds as _feeds  # noqa: F401
