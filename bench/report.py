"""The benchmark's outputs: server-side figures, the bars of issue 6, the table and the chart."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

MODES = ("cached", "uncached", "cachalot")
SCENARIOS = ("list", "detail", "stats", "search", "session", "knowledge", "write", "mix")
COLOURS = {"cached": "#1b7f5b", "uncached": "#c0392b", "cachalot": "#7d5ba6", "ceiling": "#34495e"}


def server_figures(deltas: Iterable[Mapping[str, int]]) -> dict[str, float | None]:
    """The monitoring app's figures over the sum of some measured windows (totals deltas)."""
    from monitoring.selectors import figures_of
    from monitoring.store import Aggregate

    summed: dict[str, int] = {}
    for delta in deltas:
        for key, value in delta.items():
            summed[key] = summed.get(key, 0) + value
    return figures_of(Aggregate.from_fields(summed))


# --- Bars ---------------------------------------------------------------------------------


def _bar(name: str, value: float | None, target: str, met: bool | None) -> dict[str, Any]:
    return {"bar": name, "value": value, "target": target, "met": bool(met) if met is not None else None}


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def bars(output: Mapping[str, Any], meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    scenarios = output["scenarios"]
    result = []

    def rps(scenario: str, mode: str) -> float | None:
        return (scenarios.get(scenario, {}).get(mode) or {}).get("rps")

    for scenario in ("list", "stats", "search"):
        value = _ratio(rps(scenario, "cached"), rps(scenario, "uncached"))
        result.append(_bar(f"{scenario}: cached / uncached throughput", value, ">= 3", value and value >= 3))
    value = _ratio(rps("mix", "cached"), rps("mix", "cachalot"))
    result.append(_bar("mix: cached / cachalot throughput", value, ">= 1.5", value and value >= 1.5))
    ceiling = (output.get("ceiling") or {}).get("rps")
    paired = meta.get("ceiling_by_scenario") or {}
    for scenario in ("list", "detail"):
        # Against the ceiling measured in the same moments (its slices alternate with the
        # scenario's), when the run did that.
        value = _ratio(rps(scenario, "cached"), (paired.get(scenario) or {}).get("rps") or ceiling)
        result.append(_bar(f"{scenario}: cached / ceiling throughput", value, ">= 0.70", value and value >= 0.7))
    rate = meta.get("read_mix_cache_hit_rate")
    result.append(
        _bar("cache hit rate, read mix (read scenarios by mix share)", rate, ">= 0.95", rate and rate >= 0.95)
    )
    combined = meta.get("read_scenarios_cache_hit_rate")
    result.append(_bar("cache hit rate, read scenarios by lookups", combined, "reported", None))
    mix_rate = (scenarios.get("mix", {}).get("cached") or {}).get("cache_hit_rate")
    result.append(_bar("cache hit rate, the mix (reads after its own writes)", mix_rate, "reported", None))
    errors = sum((run or {}).get("errors", 0) for by_mode in scenarios.values() for run in by_mode.values()) + sum(
        (output.get(key) or {}).get("errors", 0) for key in ("ceiling", "monitoring_off")
    )
    result.append(_bar("errors, all runs", errors, "0", errors == 0))
    server = output.get("server") or {}
    for key, limit in (("redis_p99_ms", 1), ("session_retrieval_p99_ms", 10), ("knowledge_lookup_p99_ms", 2)):
        value = server.get(key)
        result.append(_bar(f"server {key}", value, f"< {limit}", value is not None and value < limit))
    # The bar is on the mix (what people do); `list`, the cheapest request, where any
    # per-request cost weighs most, is reported next to it.
    for scenario, off_run, judged in (
        ("mix", output.get("monitoring_off"), True),
        ("list", meta.get("monitoring_off_list"), False),
    ):
        off = (off_run or {}).get("rps")
        on = rps(scenario, "cached")
        overhead = round(1 - on / off, 3) if on and off else None
        met = (overhead is not None and overhead < 0.05) if judged else None
        result.append(
            _bar(f"monitoring overhead (1 - on/off, {scenario})", overhead, "< 0.05" if judged else "reported", met)
        )
    return result


# --- Table ------------------------------------------------------------------------------


def _row(name: str, mode: str, run: Mapping[str, Any] | None) -> str:
    if not run:
        return f"{name:<10}{mode:<15}{'-':>9}"
    rate = run.get("cache_hit_rate")
    return (
        f"{name:<10}{mode:<15}{run['rps']:>9.1f}{run['p50_ms']:>9.2f}{run['p95_ms']:>9.2f}{run['p99_ms']:>9.2f}"
        f"{run['errors']:>8}{'' if rate is None else f'{rate * 100:>9.1f}%'}"
    )


def table(output: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    lines = [
        f"{'scenario':<10}{'mode':<15}{'rps':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'hit rate':>10}",
        "-" * 79,
    ]
    for scenario in SCENARIOS:
        for mode in MODES:
            run = output["scenarios"].get(scenario, {}).get(mode)
            if run:
                lines.append(_row(scenario, mode, run))
    lines.append(_row("ceiling", "cached stack", output.get("ceiling")))
    lines.append(_row("mix", "monitoring_off", output.get("monitoring_off")))
    if meta.get("monitoring_off_list"):
        lines.append(_row("list", "monitoring_off", meta["monitoring_off_list"]))
    server = output.get("server") or {}
    lines += ["", "server (monitoring app, measured cached runs): " + ", ".join(f"{k} {v}" for k, v in server.items())]
    lines += ["", "bars:"]
    for bar in meta.get("bars", []):
        status = "met" if bar["met"] else ("--" if bar["met"] is None else "MISSED")
        lines.append(f"  [{status:^6}] {bar['bar']}: {bar['value']} (target {bar['target']})")
    return "\n".join(lines)


# --- Chart ------------------------------------------------------------------------------


def chart(output: Mapping[str, Any]) -> str:
    """Latency percentiles per scenario and mode (log scale): bar to p50, line to p95, tick at p99."""
    groups: list[tuple[str, list[tuple[str, Mapping[str, Any]]]]] = []
    for scenario in SCENARIOS:
        runs = [
            (mode, output["scenarios"][scenario][mode])
            for mode in MODES
            if output["scenarios"].get(scenario, {}).get(mode)
        ]
        groups.append((scenario, runs))
    extra = [
        (label, run)
        for label, run in (("ceiling", output.get("ceiling")), ("cached", output.get("monitoring_off")))
        if run
    ]
    if extra:
        groups.append(("ceiling / mix, monitoring off", extra))
    values = [run[key] for _, runs in groups for _, run in runs for key in ("p50_ms", "p99_ms") if run.get(key)]
    low = 10 ** math.floor(math.log10(max(min(values), 0.1)))
    high = 10 ** math.ceil(math.log10(max(values)))
    width, height, left, top, bottom = 960, 420, 60, 40, 70
    plot_h = height - top - bottom
    slot = (width - left - 20) / len(groups)

    def y(ms: float) -> float:
        ms = min(max(ms, low), high)
        return top + plot_h * (1 - (math.log10(ms) - math.log10(low)) / (math.log10(high) - math.log10(low)))

    kind = "quick run" if output.get("quick") else "full run"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14">Latency per scenario and mode, {output["clients"]} clients '
        f"({kind}): bar = p50, line = p95, tick = p99 (ms, log scale)</text>",
    ]
    decade = low
    while decade <= high * 1.0001:
        parts.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{decade:g}</text>')
        decade *= 10
    for index, (name, runs) in enumerate(groups):
        x0 = left + index * slot
        bar_w = min(22.0, (slot - 16) / max(len(runs), 1))
        start = x0 + (slot - bar_w * len(runs)) / 2
        for position, (mode, run) in enumerate(runs):
            colour = COLOURS.get(mode, "#555")
            x = start + position * bar_w
            centre = x + bar_w / 2
            p50, p95, p99 = y(run["p50_ms"]), y(run["p95_ms"]), y(run["p99_ms"])
            label = f"{name} {mode}: p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms, p99 {run['p99_ms']} ms, "
            label += f"{run['rps']} rps"
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{p50:.1f}" width="{bar_w - 4:.1f}" height="{y(low) - p50:.1f}" '
                f'fill="{colour}"><title>{label}</title></rect>'
            )
            parts.append(
                f'<line x1="{centre:.1f}" x2="{centre:.1f}" y1="{p50:.1f}" y2="{p95:.1f}" stroke="{colour}" '
                'stroke-width="2"/>'
            )
            parts.append(
                f'<line x1="{x + 3:.1f}" x2="{x + bar_w - 3:.1f}" y1="{p99:.1f}" y2="{p99:.1f}" stroke="{colour}" '
                'stroke-width="2"/>'
            )
        parts.append(f'<text x="{x0 + slot / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">{name}</text>')
    legend_x = left
    for mode in (*MODES, "ceiling"):
        parts.append(f'<rect x="{legend_x}" y="{height - 28}" width="12" height="12" fill="{COLOURS[mode]}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{height - 18}">{mode}</text>')
        legend_x += 100
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- Markdown (bench/results/latest.md, pasted into docs/performance.md) ------------------


def _cell(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(output: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    lines = [
        "| scenario | mode | rps | p50 ms | p95 ms | p99 ms | errors | hit rate |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(name: str, mode: str, run: Mapping[str, Any] | None) -> None:
        if not run:
            return
        rate = run.get("cache_hit_rate")
        lines.append(
            f"| {name} | {mode} | {run['rps']:.0f} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} | {run['p99_ms']:.1f} "
            f"| {run['errors']} | {'' if rate is None else f'{rate * 100:.1f} %'} |"
        )

    for scenario in SCENARIOS:
        for mode in MODES:
            row(scenario, mode, output["scenarios"].get(scenario, {}).get(mode))
    row("ceiling", "cached stack", output.get("ceiling"))
    row("mix", "monitoring off", output.get("monitoring_off"))
    row("list", "monitoring off", meta.get("monitoring_off_list"))
    lines += ["", "| bar | value | target | |", "| --- | ---: | ---: | --- |"]
    for bar in meta.get("bars", []):
        status = "met" if bar["met"] else ("reported" if bar["met"] is None else "**missed**")
        lines.append(f"| {bar['bar']} | {bar['value']} | {bar['target']} | {status} |")
    server = output.get("server") or {}
    lines += ["", "| server-side figure (monitoring app, measured cached runs) | value |", "| --- | ---: |"]
    lines += [f"| {key} | {value} |" for key, value in server.items()]
    return "\n".join(lines) + "\n"
