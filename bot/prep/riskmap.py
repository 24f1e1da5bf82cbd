"""The risk map: each ledger risk placed by who bears it and what covers it (PNG, matplotlib).

Uses the object API with the Agg canvas, never pyplot: no global figure state, safe to call
from worker threads, no display needed.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import TYPE_CHECKING

from bot.prep.ledger import (
    ACCEPTED,
    BEARER_KINDS,
    MECHANISM_KINDS,
    OTHERS,
    SHARED,
    THEM,
    TRUST_ONLY,
    UNASSIGNED,
    YOU,
)
from bot.prep.models import LedgerRow, SessionRecord

if TYPE_CHECKING:  # matplotlib costs half a second to import: only load it to draw
    from matplotlib.axes import Axes

# Bottom to top: trust only at the foot of the map, the strongest mechanisms at the head.
_ROWS = tuple(reversed(MECHANISM_KINDS))
_RED = "#c62828"
_AMBER = "#ef8f00"
_BLUE = "#1f5fa8"
_LEGEND_WIDTH = 50  # characters per legend line
_LEGEND_ROWS = 10  # risks listed beside the map; the brief has them all
_DPI = 110


def render_risk_map(record: SessionRecord) -> bytes:
    """The map as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 7.5), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    grid, legend = figure.subplots(1, 2, width_ratios=(1.55, 1))
    _draw_grid(grid, record)
    _draw_legend(legend, record.ledger)
    session = record.session
    figure.suptitle(
        f"Risk map · {_clip(session.topic, 60)} (with {_clip(session.counterpart, 40)})",
        fontsize=15,
        fontweight="bold",
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _draw_grid(ax: Axes, record: SessionRecord) -> None:
    """The bearer × mechanism grid with one numbered marker per risk."""
    columns = _column_labels(record.session.name)
    ax.set_xlim(-0.5, len(BEARER_KINDS) - 0.5)
    ax.set_ylim(-0.5, len(_ROWS) - 0.5)
    ax.set_xticks(range(len(BEARER_KINDS)), [columns[k] for k in BEARER_KINDS], fontsize=10)
    ax.set_yticks(range(len(_ROWS)), _ROWS, fontsize=10)
    ax.set_xlabel("Who bears the risk today", fontsize=11)
    ax.set_ylabel("What carries it instead of trust", fontsize=11)
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.axhspan(-0.5, 0.5, color=_RED, alpha=0.12)
    ax.axhspan(0.5, 1.5, color=_AMBER, alpha=0.10)
    for y_label in ax.get_yticklabels():
        if y_label.get_text() == TRUST_ONLY:
            y_label.set_color(_RED)
            y_label.set_fontweight("bold")
    if not record.ledger:
        ax.text(2, 5, "No risks in the ledger yet", ha="center", fontsize=14, color="#777777")
        return
    for (x, y), rows in _cells(record.ledger).items():
        _draw_cell(ax, x, y, rows)


def _cells(ledger: tuple[LedgerRow, ...]) -> dict[tuple[int, int], list[LedgerRow]]:
    cells: dict[tuple[int, int], list[LedgerRow]] = defaultdict(list)
    for row in ledger:
        x = BEARER_KINDS.index(row.bearer_kind if row.bearer_kind in BEARER_KINDS else UNASSIGNED)
        kind = row.mechanism_kind if row.mechanism_kind in _ROWS else TRUST_ONLY
        cells[(x, _ROWS.index(kind))].append(row)
    return cells


def _draw_cell(ax: Axes, x: int, y: int, rows: list[LedgerRow]) -> None:
    """Markers side by side inside one cell, so several risks there stay readable."""
    step = min(0.3, 0.85 / max(1, len(rows)))
    start = x - step * (len(rows) - 1) / 2
    for i, row in enumerate(rows):
        colour, size = _style(row.mechanism_kind)
        cx = start + i * step
        ax.scatter([cx], [y], s=size, color=colour, edgecolors="black", linewidths=0.8, zorder=3)
        ax.text(cx, y, str(row.position), ha="center", va="center", color="white",
                fontsize=10, fontweight="bold", zorder=4)  # fmt: skip


def _style(kind: str) -> tuple[str, int]:
    if kind == TRUST_ONLY:
        return _RED, 620
    if kind == ACCEPTED:
        return _AMBER, 420
    return _BLUE, 420


def _draw_legend(ax: Axes, ledger: tuple[LedgerRow, ...]) -> None:
    """Numbered risks in words, two lines each; trust-only ones in bold red."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.text(0, 1, "Risks", fontsize=13, fontweight="bold", va="top")
    shown = ledger[:_LEGEND_ROWS]
    for i, row in enumerate(shown):
        bare = row.mechanism_kind == TRUST_ONLY
        detail = "ONLY TRUST COVERS THIS" if bare else row.mechanism_kind
        text = f"{_legend_risk(row)}\n      → {detail}"
        ax.text(0, 0.93 - i * 0.078, text, color=_style(row.mechanism_kind)[0], fontsize=10,
                va="top", fontweight="bold" if bare else "normal", linespacing=1.35)  # fmt: skip
    if len(ledger) > len(shown):
        ax.text(
            0, 0.93 - len(shown) * 0.078, f"… the brief lists all {len(ledger)} risks", fontsize=9
        )
    _draw_key(ax)


def _legend_risk(row: LedgerRow) -> str:
    """A risk's legend line: its short name whole when it fits, else cut at a word."""
    name = " ".join(row.risk.split())
    return _clip(f"{row.position}. {name}", _LEGEND_WIDTH)


def _draw_key(ax: Axes) -> None:
    """What the colours mean, at the foot of the legend."""
    key = (
        (_BLUE, "a mechanism carries it"),
        (_AMBER, "accepted on purpose"),
        (_RED, "only trust covers it"),
    )
    for i, (colour, text) in enumerate(key):
        y = 0.09 - i * 0.04
        ax.scatter([0.02], [y], s=90, color=colour, edgecolors="black", linewidths=0.6)
        ax.text(0.06, y, text, va="center", fontsize=10)


def _column_labels(counterpart: str) -> dict[str, str]:
    return {
        YOU: "You",
        SHARED: "Shared",
        THEM: _clip(counterpart[:1].upper() + counterpart[1:], 18),
        OTHERS: "Others",
        UNASSIGNED: "Not yet assigned",
    }


def _clip(text: str, limit: int) -> str:
    """Text cut at a word to fit ``limit`` characters (a stub of half a word reads as a typo)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(",;:") + "…"
