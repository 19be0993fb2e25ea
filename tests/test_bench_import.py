"""The import benchmark end to end on a small sheet: every figure it prints is measured, beside its baselines."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_bench_measures_the_import_beside_parse_and_write_floor_baselines():
    """`python -m bench import` generates a sheet, imports it as a web upload's job would, and measures the two
    parsers and the bare-SQLite write floor of the very rows saved (the floor fails the run if it wrote a
    different number of people)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-m", "bench", "import", "--rows", "300", "--sizes", "", "--no-stages",
                           "--no-write"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for label in ("(a) calamine parse", "(b) openpyxl read-only", "(c) full import", "(d) bare sqlite3 writes"):
        line = next(x for x in out.splitlines() if x.startswith(label))
        assert float(re.search(r"([\d,]+) rows/s", line).group(1).replace(",", "")) > 0, line
    assert "| (d) bare sqlite3 writes of the rows (c) saved (the write floor) |" in out
    assert "{main[" not in out  # every figure in the text is formatted
