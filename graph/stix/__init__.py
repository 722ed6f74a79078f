"""STIX 2.1 out, and the mapping both ways: `mapping` (what maps to what), `writing`
(`bundle_of`, for `eventgraph export --format stix`). The reader is a feed format like the
others (`graph/feeds/stix.py`, `stix-bundle`): it needs the feeds package, which this one does
not, so the two do not import each other.
"""
