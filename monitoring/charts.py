"""Server-rendered SVG line charts: geometry computed here, markup in a template.

No JavaScript and no inline styles (the Content Security Policy forbids both): lines
get CSS classes styled by monitoring/static/monitoring/dashboard.css.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 56, 22, 10, 24


@dataclass
class Line:
    label: str
    css: str
    d: str
    # Points with no neighbour to draw a segment to (a path of one point is invisible).
    dots: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    unit: str
    width: int = WIDTH
    height: int = HEIGHT
    lines: list[Line] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    threshold_y: float | None = None
    threshold_label: str = ""
    empty: bool = True

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def plot_top(self) -> int:
        return TOP


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


def _format(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f}%"
    return f"{value:g} ms" if value >= 1 or value == 0 else f"{value:.2g} ms"


def line_chart(
    title: str,
    times: Sequence[datetime],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    *,
    unit: str,
    threshold: float | None = None,
    fixed_max: float | None = None,
    time_format: str = "%H:%M",
) -> Chart:
    """`series`: (label, css class, values aligned with `times`); None values leave gaps."""
    chart = Chart(title=title, unit=unit)
    values = [v for _, _, column in series for v in column if v is not None]
    chart.empty = not values
    top_value = fixed_max or _nice_ceiling(max([*values, threshold or 0, 0.0]) * 1.1)
    left, right, top, bottom = chart.plot_left, chart.plot_right, chart.plot_top, chart.plot_bottom
    count = len(times)

    def x(index: int) -> float:
        return left + (right - left) * (index / (count - 1) if count > 1 else 0.5)

    def y(value: float) -> float:
        return bottom - (bottom - top) * min(value / top_value, 1.0)

    for label, css, column in series:
        parts: list[str] = []
        dots: list[tuple[float, float]] = []
        pen_down = False
        for index, value in enumerate(column):
            if value is None:
                pen_down = False
                continue
            parts.append(f"{'L' if pen_down else 'M'}{x(index):.1f} {y(value):.1f}")
            before = column[index - 1] if index > 0 else None
            after = column[index + 1] if index + 1 < count else None
            if before is None and after is None:
                dots.append((round(x(index), 1), round(y(value), 1)))
            pen_down = True
        chart.lines.append(Line(label, css, " ".join(parts), dots))
    chart.y_ticks = [(round(y(top_value * i / 4), 1), _format(top_value * i / 4, unit)) for i in range(5)]
    if count:
        zone = timezone.get_current_timezone()
        indexes = sorted({round(i * (count - 1) / 5) for i in range(6)})
        chart.x_ticks = [
            (round(x(index), 1), timezone.localtime(times[index], zone).strftime(time_format)) for index in indexes
        ]
    if threshold is not None:
        chart.threshold_y = round(y(threshold), 1)
        chart.threshold_label = f"target {_format(threshold, unit)}"
    return chart
