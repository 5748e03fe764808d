"""The comparison report of ``sim compare``: a base scenario and its variants, run on common
random numbers, in one self-contained HTML page.

Sections: a table of every outcome's probability under each scenario with the paired difference
(variant − base), its 95% interval and whether it is distinguishable from zero; difference bars
with paired intervals (and the wider unpaired ones for contrast); differences of mean peak and
final escalation; side-by-side escalation fans; time-to-event curves overlaid; what each variant
changes in the scenario. All scenario text is escaped (:func:`esc` for HTML, :func:`ptext` for
Plotly).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.analysis import stats
from sim.analysis.compare import OutcomeDiff, VariantComparison
from sim.engine.results import RunResults
from sim.report.limits import report_view
from sim.report.page import Markup, Section, html_table, join, ptext, tag, write_report
from sim.report.run_report import LAYOUT, PALETTE, _dates, _ladder_axis, fan_traces, scenario_diff

FAN_COLUMNS = 2
"""Escalation fans per row."""


def _color(i: int) -> str:
    """Colour of scenario ``i`` (0 = base) in every figure."""
    return str(PALETTE[i % len(PALETTE)])


def _pp(x: float) -> str:
    """A difference of probabilities as signed percentage points."""
    return "n/a" if not math.isfinite(x) else f"{100 * x:+.1f} pp"


def _pct(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{100 * x:.1f}%"


def _interval_pp(iv: tuple[float, float]) -> str:
    return f"{100 * iv[0]:+.1f} to {100 * iv[1]:+.1f} pp"


def _p_value(p: float) -> str:
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"


def _title(r: RunResults) -> str:
    return r.scenario.scenario.title


# ---- HTML blocks -----------------------------------------------------------------------------


def comparison_table(base: RunResults, comparisons: Sequence[VariantComparison]) -> Markup:
    """Per outcome: the base row (probability, Wilson 95% CI), then one row per variant with the
    paired difference, its 95% interval, the unpaired interval, the McNemar p and a mark."""
    header = [
        "outcome",
        "scenario",
        "P",
        "difference vs base",
        "paired 95% CI",
        "unpaired 95% CI",
        "McNemar p",
        "distinguishable",
    ]
    rows: list[list[object]] = []
    classes: list[str | None] = []
    table = stats.outcome_table(base)
    for o in table.to_dict("records"):
        rows.append(
            [
                o["name"],
                _title(base),
                f"{_pct(o['probability'])} ({_pct(o['ci_low'])} – {_pct(o['ci_high'])})",
                "base",
                "",
                "",
                "",
                "",
            ]
        )
        classes.append(None)
        for c in comparisons:
            d = next((x for x in c.outcomes if x.outcome == o["id"]), None)
            if d is None:
                rows.append([o["name"], c.variant_title, "not declared", "", "", "", "", ""])
                classes.append(None)
                continue
            rows.append(
                [
                    o["name"],
                    c.variant_title,
                    _pct(d.p_variant),
                    _pp(d.diff),
                    _interval_pp(d.paired),
                    _interval_pp(d.unpaired),
                    _p_value(d.p_value),
                    "yes" if d.distinguishable else "no",
                ]
            )
            classes.append("changed" if d.distinguishable else None)
    return html_table(
        header, rows, numeric=[False, False, True, True, True, True, True, False], row_classes=classes
    )


def escalation_table(comparisons: Sequence[VariantComparison]) -> Markup:
    """Differences of mean peak and final escalation (ladder points), paired t intervals."""
    rows = [
        [
            c.variant_title,
            m.metric.replace("_", " "),
            f"{m.mean_base:.2f}",
            f"{m.mean_variant:.2f}",
            f"{m.diff:+.2f}",
            f"{m.paired[0]:+.2f} to {m.paired[1]:+.2f}",
            f"{m.unpaired[0]:+.2f} to {m.unpaired[1]:+.2f}",
            "yes" if m.distinguishable else "no",
        ]
        for c in comparisons
        for m in c.escalation
    ]
    header = [
        "variant",
        "metric",
        "base mean",
        "variant mean",
        "difference",
        "paired 95% CI",
        "Welch 95% CI",
        "distinguishable",
    ]
    return html_table(header, rows, numeric=[False, False, True, True, True, True, True, False])


def crn_html(comparisons: Sequence[VariantComparison]) -> Markup:
    """How each variant was paired with the base: seed, runs, shared draws, warnings."""
    items = []
    for c in comparisons:
        same = f"{len(c.params_identical)} of {len(c.params_identical) + len(c.params_differing)}"
        text = (
            f"{c.variant_title}: {c.runs:,} runs paired by run index, seed {c.seed_variant}; "
            f"{same} shared random parameters drawn identically"
        )
        if c.params_differing:
            text += f" (different: {', '.join(c.params_differing)})"
        if c.only_in_variant or c.params_new:
            text += f"; new in the variant: {', '.join([*c.params_new, *c.only_in_variant])}"
        if c.only_in_base or c.params_gone:
            text += f"; absent from the variant: {', '.join([*c.params_gone, *c.only_in_base])}"
        items.append(tag("li", text + "."))
        items.extend(tag("li", f"Warning: {note}.", cls="changed") for note in c.notes)
    return join([Markup("<ul>"), *items, Markup("</ul>")])


def changes_html(base: RunResults, variants: Sequence[RunResults]) -> Markup:
    """What each variant changes in the scenario (field path: base value → variant value)."""
    parts: list[object] = [Markup('<section id="changes"><h2>What each variant changes</h2>')]
    for v in variants:
        diff = scenario_diff(v.scenario, base.scenario)
        diff.pop("scenario.id", None)
        diff.pop("scenario.title", None)
        diff.pop("scenario.description", None)
        parts.append(tag("h3", _title(v)))
        rows = [[k, _short(a), _short(b)] for k, (a, b) in _collapse(diff).items()]
        parts.append(html_table(["field", "base", "variant"], rows) if rows else tag("p", "no change"))
    parts.append(Markup("</section>"))
    return join(parts)


def _collapse(diff: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    """Fold the fields of an item added or removed as a whole (``actors.<id>``, ``relations.<id>``,
    ...) into one line: ``(absent, "added")`` or ``("present", "removed")``."""
    groups: dict[str, list[str]] = {}
    for k in diff:
        parts = k.split(".")
        groups.setdefault(".".join(parts[:2]) if len(parts) > 2 else k, []).append(k)
    out: dict[str, tuple[Any, Any]] = {}
    for prefix, keys in groups.items():
        if len(keys) > 1 and all(diff[k][0] is None for k in keys):
            out[prefix] = (None, "added")
        elif len(keys) > 1 and all(diff[k][1] is None for k in keys):
            out[prefix] = ("present", "removed")
        else:
            out.update((k, diff[k]) for k in keys)
    return out


def _short(value: Any, limit: int = 120) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- figures ---------------------------------------------------------------------------------


def fig_differences(comparisons: Sequence[VariantComparison]) -> go.Figure:
    """Paired difference of each outcome's probability (bars) with its 95% interval; the unpaired
    interval of the same runs as a thin grey bar beside it."""
    fig = go.Figure()
    for i, c in enumerate(comparisons):
        names = [ptext(d.name) for d in c.outcomes]
        fig.add_trace(
            go.Bar(
                x=names,
                y=[d.diff for d in c.outcomes],
                name=ptext(c.variant_title),
                marker={
                    "color": _color(i + 1),
                    "line": {"color": "#222", "width": [2 if d.distinguishable else 0 for d in c.outcomes]},
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [d.paired[1] - d.diff for d in c.outcomes],
                    "arrayminus": [d.diff - d.paired[0] for d in c.outcomes],
                },
                customdata=[_hover(d) for d in c.outcomes],
                hovertemplate="%{x}: %{customdata}<extra>" + ptext(c.variant_title) + "</extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#444", "width": 1})
    fig.update_layout(**LAYOUT, height=460, barmode="group", legend={"orientation": "h", "y": -0.2})
    fig.update_yaxes(title_text="variant − base (probability)", tickformat="+.1%")
    return fig


def _hover(d: OutcomeDiff) -> str:
    mark = "distinguishable from 0" if d.distinguishable else "not distinguishable from 0"
    return (
        f"{_pp(d.diff)}, paired 95% CI {_interval_pp(d.paired)} ({mark}); unpaired "
        f"{_interval_pp(d.unpaired)}; McNemar p {_p_value(d.p_value)}"
    )


def fig_escalation_differences(comparisons: Sequence[VariantComparison]) -> go.Figure:
    """Difference of mean peak and final escalation (ladder points) with paired 95% intervals."""
    fig = go.Figure()
    for i, c in enumerate(comparisons):
        fig.add_trace(
            go.Bar(
                x=[m.metric.replace("_", " ") for m in c.escalation],
                y=[m.diff for m in c.escalation],
                name=ptext(c.variant_title),
                marker_color=_color(i + 1),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [m.paired[1] - m.diff for m in c.escalation],
                    "arrayminus": [m.diff - m.paired[0] for m in c.escalation],
                },
                hovertemplate="%{x}: %{y:+.2f} points<extra>" + ptext(c.variant_title) + "</extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#444", "width": 1})
    fig.update_layout(**LAYOUT, height=380, barmode="group", legend={"orientation": "h", "y": -0.2})
    fig.update_yaxes(title_text="variant − base (ladder points)")
    return fig


def fig_fans(results: Sequence[RunResults]) -> go.Figure:
    """Side-by-side escalation fans (median, 50% and 90% bands), one panel per scenario."""
    cols = min(FAN_COLUMNS, len(results))
    rows = math.ceil(len(results) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        shared_xaxes=True,
        vertical_spacing=0.12,
        horizontal_spacing=0.04,
        subplot_titles=[ptext(_title(r)) for r in results],
    )
    for i, r in enumerate(results):
        row, col = i // cols + 1, i % cols + 1
        for trace in fan_traces(r, _color(i), ptext(_title(r)), legend=False):
            fig.add_trace(trace, row=row, col=col)
    fig.update_layout(**LAYOUT, height=330 * rows + 60, showlegend=False)
    _ladder_axis(fig, results[0])
    fig.update_yaxes(title_text="")
    return fig


def fig_time_to_event(results: Sequence[RunResults], outcome_ids: Sequence[str]) -> go.Figure:
    """Cumulative probability of each outcome's first occurrence, scenarios overlaid."""
    names = {o.id: o.name for o in results[0].scenario.outcomes}
    cols = min(2, len(outcome_ids))
    rows = math.ceil(len(outcome_ids) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=[ptext(names[o]) for o in outcome_ids],
    )
    for j, oid in enumerate(outcome_ids):
        for i, r in enumerate(results):
            if oid not in r.outcome_ids:
                continue
            steps, cum = stats.time_to_event(r, oid)
            fig.add_trace(
                go.Scatter(
                    x=_dates(r, steps),
                    y=cum,
                    mode="lines",
                    name=ptext(_title(r)),
                    legendgroup=str(i),
                    showlegend=j == 0,
                    line={"color": _color(i), "shape": "hv", "width": 2},
                    hovertemplate="%{x}: %{y:.1%}<extra>" + ptext(_title(r)) + "</extra>",
                ),
                row=j // cols + 1,
                col=j % cols + 1,
            )
    fig.update_layout(**LAYOUT, height=300 * rows + 80, legend={"orientation": "h", "y": -0.12})
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return fig


# ---- page ------------------------------------------------------------------------------------


def compare_sections(
    base: RunResults, variants: Sequence[RunResults], comparisons: Sequence[VariantComparison]
) -> list[Section]:
    """The figures of the comparison page, in order."""
    compared = [{d.outcome for d in c.outcomes} for c in comparisons]
    shared = [o for o in base.outcome_ids if all(o in ids for ids in compared)]
    level = comparisons[0].level if comparisons else 0.95
    return [
        Section(
            "Difference in outcome probabilities (variant − base)",
            fig_differences(comparisons),
            f"Bars: paired difference run by run on common random numbers; whiskers: its "
            f"{level:.0%} Newcombe interval for paired proportions. A black outline marks a "
            "difference distinguishable from zero (interval excludes 0). Hover for the unpaired "
            "interval the same runs would give without pairing.",
        ),
        Section(
            "Difference in mean escalation",
            fig_escalation_differences(comparisons),
            f"Mean peak and final escalation, variant − base, with paired t {level:.0%} intervals.",
            before=escalation_table(comparisons),
        ),
        Section(
            "Escalation over time, side by side",
            fig_fans([base, *variants]),
            "Median (line), 50% and 90% of runs (bands) at each date, per scenario; same ladder axis.",
        ),
        Section(
            "Time to event",
            fig_time_to_event([base, *variants], shared),
            "Share of runs in which each outcome has happened by each date, scenarios overlaid.",
        ),
    ]


def write_compare_report(
    base: RunResults,
    variants: Sequence[RunResults],
    comparisons: Sequence[VariantComparison],
    out_path: str | Path,
) -> Path:
    """Write the comparison page to ``out_path`` (atomically); returns the path."""
    base, variants = report_view(base), [report_view(v) for v in variants]  # sim.report.limits
    meta = base.scenario.scenario
    header = [
        tag(
            "p",
            f"Base: {meta.title} ({meta.id}). {base.runs_count:,} runs per scenario, seed {base.seed}: "
            "run n of every scenario draws from the same random streams (common random numbers), "
            "so differences are computed run by run.",
        ),
        crn_html(comparisons),
        Markup("<h2>Outcome probabilities and differences</h2>"),
        comparison_table(base, comparisons),
        tag(
            "p",
            "These are consequences of the model and its assumed parameters, not forecasts: common "
            "random numbers make the differences precise, not true.",
            cls="muted",
        ),
    ]
    return write_report(
        out_path,
        f"Comparison: {meta.title}",
        header=header,
        sections=compare_sections(base, variants, comparisons),
        footer=[changes_html(base, variants)],
    )


# ---- Markdown (for docs) ---------------------------------------------------------------------


def comparison_markdown(base: RunResults, comparisons: Sequence[VariantComparison]) -> str:
    """The headline tables as Markdown (pasted into docs/policy-analysis.md).

    One row per outcome: base probability, then per variant ``P, Δ [paired 95% CI]`` in
    percentage points, bold when distinguishable from zero; then mean peak/final escalation.
    Scenario text is used as is (Markdown, not HTML).
    """
    cols = [c.variant_id for c in comparisons]
    lines = [
        f"{base.runs_count:,} runs per scenario, seed {base.seed}, batch size {base.batch_size}.",
        "",
        "| outcome | " + base.scenario.scenario.id + " | " + " | ".join(cols) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    for o in base.scenario.outcomes:
        cells = [f"{100 * float(base.runs[o.id].mean()):.1f}%"]
        for c in comparisons:
            d = next((x for x in c.outcomes if x.outcome == o.id), None)
            if d is None:
                cells.append("not declared")
                continue
            delta = f"{100 * d.diff:+.1f} [{100 * d.paired[0]:+.1f}, {100 * d.paired[1]:+.1f}]"
            cells.append(f"{100 * d.p_variant:.1f}%, " + (f"**{delta}**" if d.distinguishable else delta))
        lines.append(f"| {o.name} | " + " | ".join(cells) + " |")
    lines += ["", "| mean escalation | base | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    for k, metric in enumerate(m.metric for m in (comparisons[0].escalation if comparisons else [])):
        cells = [f"{comparisons[0].escalation[k].mean_base:.1f}"]
        for c in comparisons:
            m = c.escalation[k]
            delta = f"{m.diff:+.1f} [{m.paired[0]:+.1f}, {m.paired[1]:+.1f}]"
            cells.append(f"**{delta}**" if m.distinguishable else delta)
        lines.append(f"| {metric.replace('_', ' ')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
