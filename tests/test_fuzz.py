"""Seeded mutations of a sound workbook (bytes, zip structure, XML) never crash, hang or show
Python words in `check` (issue 10). Runs for a bounded time; the long run of 10,000 and more is
benchmarks/fuzz_check.py. A failure names the mutation (seed and number) so that it can be replayed."""
from __future__ import annotations

import os
import random
import time

from fixtures_check.workbooks import balanced, generate
from fuzz_mutations import mutate, run_one

SEED = 20261202
SECONDS = min(60.0, float(os.environ.get("FUZZ_SECONDS", "20")))   # CI: at most a minute


def test_mutated_workbooks_get_a_clean_answer(tmp_path, monkeypatch):
    from xlsx_reports.xlsx import reader
    monkeypatch.delenv(reader.STRICT_ENV, raising=False)   # a mutant may need the full reader
    bases = [generate(balanced(year), tmp_path / f"seed{year}.xlsx").read_bytes() for year in (2020, 2021)]
    deadline = time.monotonic() + SECONDS
    n, failures = 0, []
    while time.monotonic() < deadline or n < 10:
        rng = random.Random(SEED * 1_000_003 + n)
        path = tmp_path / f"m{n}.xlsx"
        path.write_bytes(mutate(rng.choice(bases), rng))
        outcome = run_one(path)
        if outcome:
            failures.append(f"mutation {n} of seed {SEED}: {outcome}")
        path.unlink()
        n += 1
    assert not failures, "\n".join(failures[:5])
