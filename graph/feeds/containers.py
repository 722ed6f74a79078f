"""Opening feed files: plain, gzip (`.gz`) or zip (`.zip`), with clear errors for broken ones.

Decompressed sizes count against the import's size limit, so a small archive that expands to
gigabytes is refused before it is expanded.
"""

import gzip
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from eventgraph.graph.errors import Problem

COMPRESSED = (".gz", ".zip")
TABBED = ".tsv"
READ_SUFFIXES = (".json", ".csv", TABBED)
"""What a feed file is once decompressed."""


@dataclass(frozen=True)
class Member:
    name: str
    """`file`, or `archive.zip:member` for a zip member."""
    suffix: str
    """`.json`, `.csv` or `.tsv` (the name's, under any `.gz`)."""
    stem: str
    content: bytes


class ContainerError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _inner(name: str) -> tuple[str, str]:
    """(suffix, stem) of a name under its compression suffix: `a.json.gz` → (.json, a)."""
    path = Path(name)
    if path.suffix.lower() == ".gz":
        path = Path(path.stem)
    return path.suffix.lower(), path.stem


def _too_large(where: str, max_bytes: int) -> ContainerError:
    return ContainerError(
        Problem(
            where,
            "file",
            f"expands to more than the {max_bytes / 2**20:.0f} MB limit",
            "split it, or raise EVENTGRAPH_IMPORT_MAX_MB if the machine has the memory",
        )
    )


def _gunzip(name: str, raw: bytes, max_bytes: int) -> bytes:
    if raw[:2] != b"\x1f\x8b":
        raise ContainerError(Problem(name, "file", "is named .gz but is not gzip-compressed"))
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(raw, max_bytes + 1)
        if len(out) > max_bytes:
            raise _too_large(name, max_bytes)
        rest = inflate.unconsumed_tail
        if rest:
            raise _too_large(name, max_bytes)
    except zlib.error as error:
        raise ContainerError(
            Problem(name, "file", f"is a corrupt gzip file ({error.args[0]})")
        ) from None
    if not inflate.eof:
        raise ContainerError(
            Problem(name, "file", "is a truncated gzip file: the compressed data ends early")
        )
    if inflate.unused_data:  # a second gzip member (concatenated files): read them whole
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise ContainerError(
                Problem(name, "file", f"is a corrupt gzip file ({error})")
            ) from None
    return out


def _unzip(name: str, raw: bytes, max_bytes: int) -> list[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise ContainerError(
            Problem(name, "file", "is not a readable zip archive (truncated or corrupt)")
        ) from None
    members: list[Member] = []
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if sum(info.file_size for info in infos) > max_bytes:
            raise _too_large(name, max_bytes)
        for info in sorted(infos, key=lambda i: i.filename):
            where = f"{name}:{info.filename}"
            suffix, stem = _inner(info.filename)
            if suffix not in READ_SUFFIXES:
                continue
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                raise ContainerError(
                    Problem(where, "file", f"is corrupt in the archive ({error})")
                ) from None
            if info.filename.lower().endswith(".gz"):
                content = _gunzip(where, content, max_bytes)
            members.append(Member(where, suffix, stem, content))
    if not members:
        raise ContainerError(Problem(name, "file", "holds no .json, .csv or .tsv file"))
    return members


def open_members(file: Path, raw: bytes, max_bytes: int) -> list[Member]:
    """The feed files `file` holds: itself, its gunzipped content, or its zip members."""
    name, lowered = str(file), file.name.lower()
    if lowered.endswith(".zip"):
        return _unzip(name, raw, max_bytes)
    suffix, stem = _inner(file.name)
    if lowered.endswith(".gz"):
        if suffix not in READ_SUFFIXES:
            raise ContainerError(
                Problem(
                    name,
                    "file",
                    "is not a .json.gz, .csv.gz or .tsv.gz file",
                    "name it after what it holds",
                )
            )
        return [Member(name, suffix, stem, _gunzip(name, raw, max_bytes))]
    return [Member(name, suffix, stem, raw)]
