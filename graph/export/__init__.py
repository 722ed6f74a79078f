"""Exports in formats other tools read, written from the snapshot `graph.exporting` reads
(the whole graph or a slice): CSV tables the import reads back (`tables`), GraphML for
networkx and Gephi (`graphml`), and JSON Lines (`jsonl`). docs/exporting.md says their shapes."""
