"""The benchmark harness, run end to end on its tiny budget so it cannot rot.

The figures of a tiny run mean nothing; what is checked is that every figure
is measured without error and lands in the table and the plot.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import ROOT

pytestmark = [pytest.mark.bench, pytest.mark.smoke]

FIGURES = 7


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench-results")
    postgres = os.environ.get("TEST_POSTGRES_URL")
    database = ["--postgres-url", postgres] if postgres else ["--no-postgres"]
    command = [sys.executable, "-m", "bench", "--budget", "tiny", "--out", str(out)]

    done = subprocess.run(
        [*command, *database],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    return out


def table_rows(page: str) -> list[list[str]]:
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[1:]]


def test_bench_writes_one_row_per_figure(results: Path) -> None:
    rows = table_rows((results / "README.md").read_text())

    assert [row[0] for row in rows] == [str(n) for n in range(1, FIGURES + 1)]
    assert all(row[4] in {"met", "missed", "no goal"} for row in rows)


def test_bench_plots_the_latency_distributions(results: Path) -> None:
    plot = results / "latency.png"

    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
