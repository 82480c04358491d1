"""The insights chart as server-rendered SVG geometry: no JavaScript, no chart library, no CDN.

Mood (1-5) and sentiment (-1..1) share one plot: both are mapped onto the same height,
so "5" and "+1" sit at the top and "1" and "-1" at the bottom.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.formats import date_format

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28
# Below this many units per point the dots (radius 4) run into one band that hides the lines:
# a year of daily entries is drawn as lines alone (its numbers stay in the page's table).
MIN_DOT_SPACING = 6


def _x(index: int, span: int) -> float:
    usable = WIDTH - LEFT - RIGHT
    return round(LEFT + (usable * index / span if span else usable / 2), 1)


def _y(fraction: float) -> float:
    usable = HEIGHT - TOP - BOTTOM
    return round(TOP + usable * (1 - fraction), 1)


def _day(value: datetime.date) -> str:
    # As the app writes dates elsewhere ("31 Oct 2026"), not as the API does.
    return date_format(value, "j M Y")


def trend_chart(trend: list[dict[str, Any]], *, today: str, days: int) -> dict[str, Any]:
    """Polyline points, dots with labels, grid lines and axis labels for `mood_trend`."""
    end = datetime.date.fromisoformat(today)
    start = end - datetime.timedelta(days=days - 1)
    span = max(days - 1, 1)
    mood_points, sentiment_points, rows = [], [], []
    for item in trend:
        day = datetime.date.fromisoformat(item["date"])
        rows.append({**item, "day": _day(day)})
        index = (day - start).days
        x = _x(index, span)
        label = f"{_day(day)}: {item['count']} entr{'y' if item['count'] == 1 else 'ies'}"
        if item["avg_mood"] is not None:
            mood_points.append(
                {"x": x, "y": _y((item["avg_mood"] - 1) / 4), "label": f"{label}, mood {item['avg_mood']}"}
            )
        if item["avg_sentiment"] is not None:
            sentiment_points.append(
                {
                    "x": x,
                    "y": _y((item["avg_sentiment"] + 1) / 2),
                    "label": f"{label}, sentiment {item['avg_sentiment']}",
                }
            )
    grid = [{"y": _y(step / 4), "mood": step + 1} for step in range(5)]
    dots = max(len(mood_points), len(sentiment_points)) * MIN_DOT_SPACING <= WIDTH - LEFT - RIGHT
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
        "grid": grid,
        "mood": mood_points if dots else [],
        "mood_line": " ".join(f"{p['x']},{p['y']}" for p in mood_points),
        "sentiment": sentiment_points if dots else [],
        "sentiment_line": " ".join(f"{p['x']},{p['y']}" for p in sentiment_points),
        "start_label": _day(start),
        "end_label": _day(end),
        "rows": rows,  # the page's table of the same numbers
        "empty": not trend,
    }
