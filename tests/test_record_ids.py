"""The check's per-id state answers the same in SQLite (an import's) and in dicts (a
mutation's): digests kept, records given twice found, labels and ids by label."""

from pathlib import Path

import pytest

from eventgraph.graph.importer.ids import RecordIds, record_ids


@pytest.mark.parametrize("on_disk", [True, False])
def test_record_ids_keep_the_same_whether_on_disk_or_in_memory(
    tmp_path: Path, on_disk: bool
) -> None:
    ids = record_ids(tmp_path if on_disk else None)
    assert isinstance(ids, RecordIds)
    assert ids.add("Actor", "russia", b"one") is None
    assert ids.add("Location", "russia", b"two") is None
    assert ids.add("Event", "e2", b"three") is None
    assert ids.add("Event", "e1", b"four") is None
    assert ids.add("Actor", "russia", b"other") == b"one"  # the digest kept the first time
    assert ids.add("Actor", "russia", b"one") == b"one"
    assert ids.count == 4
    assert ids.labels("russia") == {"Actor", "Location"}
    assert ids.labels("nobody") == set()
    assert list(ids.ids(("Event", "Actor"))) == ["e2", "e1", "russia"]
    assert ids.add_claim("e1/claim-1") and not ids.add_claim("e1/claim-1")
    ids.forget_claims()
    assert ids.add_claim("e1/claim-1")
