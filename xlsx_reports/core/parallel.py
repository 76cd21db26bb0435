"""The one parallel runner: a function over many files in worker processes, results in order.

Reading a workbook costs a few milliseconds and a worker process ~0.1 s to start, so a few
files run in this process; many go to at most MAX_JOBS workers in chunks large enough that
the hand-over costs less than the work, and small enough that the progress moves.
"""
from __future__ import annotations

import gc
import itertools
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int, Any], None]   # (done, in all, the result just in)
MAX_JOBS = 4
PARALLEL_MIN = 8     # fewer files finish before worker processes would start
MAX_CHUNK = 16     # ~30 ms of work: the last chunk keeps one worker busy while the other has none


def default_jobs(jobs: int | None) -> int:
    return min(MAX_JOBS, os.cpu_count() or 1) if jobs is None else max(1, jobs)


def run(fn: Callable[[T], R], items: Sequence[T], *, jobs: int | None = None,
        progress: Progress | None = None, initializer: Callable[..., None] | None = None,
        initargs: tuple = ()) -> list[R]:
    """fn over every item, results in the items' order; `initializer(*initargs)` runs once in
    each worker (or here) first, so large shared data travels once per worker, not per item."""
    jobs = default_jobs(jobs)
    if jobs == 1 or len(items) < PARALLEL_MIN:
        if initializer is not None:
            initializer(*initargs)
        return _gather(map(fn, items), items, progress)
    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), initializer=_worker_start,
                             initargs=(initializer, initargs)) as pool:
        done = [pool.submit(_each, fn, items[start:end]) for start, end in chunks(len(items), jobs)]
        return _gather(itertools.chain.from_iterable(f.result() for f in done), items, progress)


def chunks(count: int, jobs: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each chunk: up to MAX_CHUNK items while many are left, then smaller and
    smaller (a quarter of what is left per worker), so that the workers finish together instead
    of one reading a last full chunk (~30 ms) while the others wait."""
    start = 0
    while start < count:
        size = max(1, min(MAX_CHUNK, (count - start) // (jobs * 4)))
        yield start, start + size
        start += size


def _worker_start(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """A worker reads thousands of files, each leaving what it leaves: it collects cycles,
    whether or not the process it was forked from paused its collector (cli.collector_paused)."""
    gc.enable()
    if initializer is not None:
        initializer(*initargs)


def _each(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [fn(item) for item in items]


def _gather(results: Iterable[R], items: Sequence, progress: Progress | None) -> list[R]:
    out: list[R] = []
    for result in results:
        out.append(result)
        if progress is not None:
            progress(len(out), len(items), result)
    return out

