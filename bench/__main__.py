"""``python -m bench``: measure every figure, print the table, write the results.

Options: ``--budget tiny|normal`` (tiny is for the test that keeps the
harness alive; its figures mean nothing), ``--out DIR`` (default
``bench/results``), ``--only 1,3`` to measure some figures, and
``--postgres-url URL`` for figure 6 (``--no-postgres`` to leave it out).
"""

import argparse
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType

from . import report
from .budget import BUDGETS
from .figures import dispatch, growth, hashing, identity, memory, pool, throughput
from .measure import Result, failed
from .servers import Bench

FIGURES = (dispatch, throughput, identity, pool, memory, growth, hashing)
RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"  # CI's, trust auth


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # The apps' own warnings (per-worker rate limits, ...) are no news here.
    logging.basicConfig(level=logging.ERROR)
    wanted = {int(n) for n in args.only.split(",")} if args.only else None
    figures = [f for f in FIGURES if wanted is None or f.NUMBER in wanted]
    postgres = None if args.no_postgres else args.postgres_url

    results = []
    with Bench(BUDGETS[args.budget], postgres) as bench:
        for figure in figures:
            results.append(_measure(figure, bench))

    report.write(results, args.out, report.about(args.budget))
    print(report.table(results))
    print(f"Wrote {args.out / report.PAGE} and {args.out / report.PLOT}.")
    return 1 if any(result.error for result in results) else 0


def _measure(figure: ModuleType, bench: Bench) -> Result:
    print(f"Figure {figure.NUMBER}: {figure.TITLE} ...", flush=True)
    started = time.monotonic()
    try:
        result = figure.run(bench)
    except Exception as error:  # one broken figure must not lose the others
        traceback.print_exc()
        result = failed(figure.NUMBER, figure.TITLE, "", error)
    print(f"  {result.verdict} in {time.monotonic() - started:.0f} s", flush=True)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--budget", choices=sorted(BUDGETS), default="normal")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--only", help="comma-separated figure numbers")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", POSTGRES),
        help="database for figure 6's Postgres half (a schema is made and dropped)",
    )
    parser.add_argument("--no-postgres", action="store_true")
    return parser


sys.exit(main())
