"""What a command's worker processes need of the machine: how many cores this process may run
on, and ending as soon as the process that started them ends (the import's checking pool,
`graph/importer/parallel.py`; `eventgraph serve --workers`, `api/serving.py`)."""

import multiprocessing
import os
import threading


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which `taskset` and container
    CPU sets narrow), else the machine's; at least 1. Python 3.13's `os.process_cpu_count`."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def end_with_parent() -> None:
    """End this process (`os._exit`) as soon as its multiprocessing parent ends, however it
    ends (even `kill -9`): a watching thread joins the parent, whose pipe closes with it."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent,), daemon=True).start()


def _end_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()
    os._exit(1)
