"""The results as a table on the terminal, a Markdown page and a PNG plot."""

import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display, the same on every machine

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .measure import Result, cpus

PAGE = "README.md"
PLOT = "latency.png"
COLUMNS = ("#", "Figure", "Measured", "Goal", "Result", "Method")


def table(results: Sequence[Result]) -> str:
    """The figures as plain text, one block per figure, for the terminal."""
    lines = []
    for result in results:
        goal = str(result.goal) if result.goal else "—"
        lines.append(f"{result.number}. {result.title}: {result.verdict} (goal {goal})")
        lines.append(f"   {result.error or result.shown}")
    return "\n".join(lines)


def write(results: Sequence[Result], out: Path, about: dict[str, str]) -> None:
    """Replace ``out``'s page and plot with these results."""
    out.mkdir(parents=True, exist_ok=True)
    plot(results, out / PLOT)
    (out / PAGE).write_text(markdown(results, about))


def markdown(results: Sequence[Result], about: dict[str, str]) -> str:
    rows = [_row(result) for result in results]
    lines = [
        "# Benchmark results",
        "",
        "What running Raptor and Queue in one process costs and what it saves.",
        "`make bench` measures these figures and rewrites this page and its plot;",
        "every figure is a ratio of two things measured side by side in the same",
        "run, over repeated rounds, and medians over the rounds are quoted. The",
        "machine may be shared and noisy; the ratios, not the absolute times,",
        "are what carries over to another machine. What the profiles behind",
        "the missed goals showed, and what was changed for them, is in",
        "[docs/benchmarks.md](../../docs/benchmarks.md).",
        "",
        "Run: " + ", ".join(f"{key} {value}" for key, value in about.items()) + ".",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
        *rows,
        "",
        f"![Latency distributions]({PLOT})",
        "",
        "## Details",
        "",
    ]
    for result in results:
        lines.append(f"### {result.number}. {result.title}")
        lines.append("")
        lines += [f"- {line}" for line in result.details] or ["- (no details)"]
        if result.error:
            lines.append(f"- error: `{result.error}`")
        lines.append("")
    return "\n".join(lines)


def _row(result: Result) -> str:
    cells = (
        str(result.number),
        result.title,
        result.error or result.shown,
        str(result.goal) if result.goal else "—",
        result.verdict,
        result.method,
    )
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def plot(results: Sequence[Result], path: Path) -> None:
    """Each figure's latency distributions as cumulative curves."""
    shown = [result for result in results if result.samples]
    columns = 3
    rows = max(1, -(-len(shown) // columns))
    figure, axes = plt.subplots(
        rows, columns, figsize=(6 * columns, 4 * rows), squeeze=False
    )
    for ax, result in zip(axes.flat, shown, strict=False):
        for series, values in result.samples.items():
            ordered = sorted(values)
            shares = [(rank + 1) / len(ordered) for rank in range(len(ordered))]
            ax.plot(ordered, shares, label=series, linewidth=1.2)
        _scale(ax, [v for values in result.samples.values() for v in values])
        ax.set_title(f"{result.number}. {result.title}", fontsize=10)
        ax.set_ylabel("share of calls at most")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(shown) :]:
        ax.axis("off")

    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _scale(ax: Any, values: list[float]) -> None:
    # Log-scaled where the series span decades, labelled at 1, 2 and 5.
    low, high = min(values), max(values)
    if low > 0 and high / low > 4:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("latency, ms (log)")
    else:
        ax.set_xlabel("latency, ms")


def about(budget: str) -> dict[str, str]:
    """What the run was made with: enough to compare runs, nothing personal."""
    return {
        "budget": budget,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "Python": platform.python_version(),
        "CPUs": str(cpus()),
        "gunicorn": version("gunicorn"),
        "locust": version("locust"),
        "Flask": version("flask"),
    }
