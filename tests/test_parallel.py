"""The one parallel runner: every item once, results and progress in the items' order, and
chunks that shrink toward the end so that the workers finish together."""
from __future__ import annotations

import os

import pytest

from xlsx_reports.core import parallel


@pytest.mark.parametrize("count,jobs", [(1, 2), (9, 2), (100, 2), (1000, 2), (10_000, 4)])
def test_chunks_cover_every_item_once_in_order_and_shrink_to_one_at_the_end(count, jobs):
    spans = list(parallel.chunks(count, jobs))
    assert [i for start, end in spans for i in range(start, end)] == list(range(count))
    sizes = [end - start for start, end in spans]
    assert max(sizes) <= parallel.MAX_CHUNK
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-jobs:] == [1] * min(jobs, count)   # no worker left alone with a long last chunk


def _square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_run_gives_results_and_progress_in_the_items_order_from_worker_processes():
    seen = []
    items = list(range(300))
    results = parallel.run(_square, items, jobs=2, progress=lambda done, total, r: seen.append((done, total, r[0])))
    assert [r[0] for r in results] == [n * n for n in items]
    assert seen == [(i + 1, 300, n * n) for i, n in enumerate(items)]
    assert os.getpid() not in {pid for _sq, pid in results}   # read in worker processes


def _collecting(_n: int) -> bool:
    import gc
    return gc.isenabled()


def test_a_command_pauses_its_collector_while_its_workers_collect_as_usual():
    """collector_paused: the command's own results are not walked again and again; the workers
    forked meanwhile still collect (each reads thousands of files); afterwards the command's
    collector runs again, with nothing left for a young collection to walk at once."""
    import gc
    from xlsx_reports.cli.base import collector_paused
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        kept = [[i] for i in range(50_000)]   # what a command keeps meanwhile
        in_workers = parallel.run(_collecting, list(range(40)), jobs=2)
    assert gc.isenabled() and all(in_workers)
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(kept[-1]) in oldest   # made while paused: moved to the oldest generation, not walked young
