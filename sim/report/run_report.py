"""The interactive report of one run (``sim run`` / ``sim report``): a self-contained HTML page.

Sections: headline (outcome probabilities with 95% Wilson intervals), escalation over time (fan
chart on the ladder with the scheduled events), time to event, peak level reached, who does
what (action mix per actor), why (PRCC of drawn parameters with each outcome), sample
trajectories with the actions that moved them, and the scenario itself (actors, traits,
provenance; differences from the base scenario for a variant).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from sim.analysis import drivers as drv
from sim.analysis import stats
from sim.engine.results import RunResults
from sim.report.limits import report_view
from sim.report.page import Markup, Section, esc, html_table, join, ptext, tag, write_report
from sim.scenario.schema import TRAIT_NAMES, Param, Scenario

PALETTE = qualitative.Plotly + qualitative.D3
LAYOUT: dict[str, Any] = {"template": "plotly_white", "margin": {"l": 60, "r": 30, "t": 40, "b": 50}}
JUMP_SHARE = 0.1
"""A sample trajectory 'jumps' when escalation rises by more than this share of the ladder max."""
TOP_DRIVERS = 12
SAMPLES_SHOWN = 4
"""Sample trajectories drawn at first; the others are one legend click away."""


# ---- helpers ---------------------------------------------------------------------------------


def _dates(results: RunResults, steps: Sequence[int] | np.ndarray) -> list[str]:
    meta = results.scenario.scenario
    return [meta.date_of(int(s)).isoformat() for s in steps]


def _pct(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def param_text(p: Param) -> str:
    """A Param as short text: ``0.7`` or ``uniform(0.2, 0.8)``."""
    if p.dist == "fixed":
        return f"{p.value:g}"
    args = {
        "uniform": (p.low, p.high),
        "normal": (p.mean, p.sd),
        "truncnorm": (p.mean, p.sd, p.low, p.high),
        "beta": (p.a, p.b),
        "triangular": (p.low, p.mode, p.high),
    }[p.dist]
    return f"{p.dist}({', '.join(f'{a:g}' for a in args if a is not None)})"


def provenance_html(obj: Any) -> Markup:
    """Quote (with source id) or assumption of a Param/Action/Event, escaped."""
    quote, source, assumption = (getattr(obj, k, None) for k in ("quote", "source", "assumption"))
    if quote:
        src = f" ({source})" if source else ""
        return join([tag("span", f"\u201c{quote}\u201d", "quote"), src])
    if assumption:
        return tag("span", f"assumption: {assumption}", "muted")
    return Markup("")


def _event_spans(results: RunResults) -> list[tuple[str, str, str | None, float | None]]:
    """(name, start ISO, end ISO or None, probability or None) for each scheduled event."""
    meta = results.scenario.scenario
    last = meta.date_of(meta.horizon)
    out = []
    for ev in results.scenario.events:
        if ev.start > last or (ev.end or ev.start) < meta.start_date:
            continue
        prob = ev.probability.central() if ev.probability is not None else None
        out.append((ev.name, ev.start.isoformat(), ev.end.isoformat() if ev.end else None, prob))
    return out


def _mark_events(fig: go.Figure, results: RunResults) -> None:
    """Vertical dotted lines (one-day events) and shaded windows, labelled at the top.

    Also fixes the x range to the simulated period (labels would otherwise widen it).
    """
    meta = results.scenario.scenario
    first, last = meta.start_date.isoformat(), meta.date_of(meta.horizon).isoformat()
    late = meta.date_of(int(meta.horizon * 0.75)).isoformat()
    for i, (name, start, end, prob) in enumerate(_event_spans(results)):
        label = ptext(name) + (f" (p={prob:.2f})" if prob is not None and prob < 1 else "")
        x0, x1 = max(start, first), min(end or start, last)
        if end and end != start:
            fig.add_shape(
                type="rect",
                xref="x",
                yref="y domain",
                x0=x0,
                x1=x1,
                y0=0,
                y1=1,
                fillcolor="rgba(120,120,120,0.12)",
                line={"width": 0},
                layer="below",
            )
        else:
            fig.add_shape(
                type="line",
                xref="x",
                yref="y domain",
                x0=x0,
                x1=x0,
                y0=0,
                y1=1,
                line={"color": "#777", "dash": "dot", "width": 1},
            )
        fig.add_annotation(
            x=x0,
            y=1.0 - 0.055 * (i % 5),
            xref="x",
            yref="y domain",
            text=label,
            showarrow=False,
            xanchor="right" if x0 > late else "left",
            font={"size": 10, "color": "#555"},
            bgcolor="rgba(255,255,255,0.7)",
        )
    fig.update_xaxes(range=[first, last])


def _ladder_axis(fig: go.Figure, results: RunResults) -> None:
    """Named ladder levels as y ticks and faint horizontal lines."""
    ladder = results.scenario.ladder
    fig.update_yaxes(
        range=[0, ladder.max],
        tickvals=[lv.at for lv in ladder.levels],
        ticktext=[f"{ptext(lv.name)} ({lv.at:g})" for lv in ladder.levels],
        title_text="escalation (ladder points)",
    )
    for lv in ladder.levels[1:]:
        fig.add_hline(y=lv.at, line={"color": "#bbb", "width": 1, "dash": "dash"})


# ---- figures ---------------------------------------------------------------------------------


def fig_outcomes(results: RunResults) -> go.Figure:
    """Outcome probabilities with 95% Wilson intervals (horizontal bars)."""
    t = stats.outcome_table(results)
    fig = go.Figure(
        go.Bar(
            y=[ptext(n) for n in t["name"]],
            x=t["probability"],
            orientation="h",
            marker_color=[_color(i) for i in range(len(t))],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": t["ci_high"] - t["probability"],
                "arrayminus": t["probability"] - t["ci_low"],
            },
            customdata=np.column_stack([t["ci_low"], t["ci_high"], t["count"]]),
            hovertemplate="%{y}: %{x:.1%} (95% CI %{customdata[0]:.1%} to %{customdata[1]:.1%};"
            " %{customdata[2]} runs)<extra></extra>",
            name="probability",
        )
    )
    fig.update_layout(
        **LAYOUT,
        height=max(220, 70 * len(t) + 80),
        xaxis={"range": [0, 1], "tickformat": ".0%"},
        yaxis={"autorange": "reversed"},
        showlegend=False,
    )
    fig.update_xaxes(title_text="probability over the horizon")
    return fig


def fan_traces(results: RunResults, color: str, median_name: str, legend: bool = True) -> list[go.Scatter]:
    """Traces of an escalation fan: 90% and 50% bands (5-95 and 25-75 percentiles) and the
    median line, over the run's dates. ``legend``: name the bands in the legend."""
    q = results.escalation_quantiles([0.05, 0.25, 0.5, 0.75, 0.95])
    x = _dates(results, range(q.shape[0]))
    traces: list[go.Scatter] = []
    for lo, hi, alpha, name in ((0, 4, 0.15, "90% of runs"), (1, 3, 0.3, "50% of runs")):
        edge = {"x": x, "mode": "lines", "line": {"width": 0}, "legendgroup": name}
        traces.append(go.Scatter(y=q[:, lo], showlegend=False, hoverinfo="skip", **edge))
        traces.append(
            go.Scatter(
                y=q[:, hi],
                fill="tonexty",
                fillcolor=_rgba(color, alpha),
                name=name,
                showlegend=legend,
                hovertemplate="%{x}: " + name + " below %{y:.1f}<extra></extra>",
                **edge,
            )
        )
    traces.append(
        go.Scatter(
            x=x,
            y=q[:, 2],
            mode="lines",
            line={"color": color, "width": 2.5},
            name=median_name,
            hovertemplate="%{x}: median %{y:.1f}<extra></extra>",
        )
    )
    return traces


def fig_fan(results: RunResults) -> go.Figure:
    """Escalation fan chart: median, 50% and 90% bands, mean; ladder levels and events."""
    x = _dates(results, range(results.horizon + 1))
    fig = go.Figure()
    for trace in fan_traces(results, "#1f77b4", "median"):
        fig.add_trace(trace)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=results.mean_escalation(),
            mode="lines",
            name="mean",
            line={"color": "#444", "dash": "dash", "width": 1.5},
            hovertemplate="%{x}: mean %{y:.1f}<extra></extra>",
        )
    )
    fig.update_layout(**LAYOUT, height=480, hovermode="x unified", legend={"orientation": "h", "y": -0.15})
    _ladder_axis(fig, results)
    _mark_events(fig, results)
    return fig


def fig_time_to_event(results: RunResults) -> go.Figure:
    """Cumulative probability of each outcome's first occurrence over the horizon."""
    fig = go.Figure()
    for i, o in enumerate(results.scenario.outcomes):
        steps, cum = stats.time_to_event(results, o.id)
        fig.add_trace(
            go.Scatter(
                x=_dates(results, steps),
                y=cum,
                mode="lines",
                name=ptext(o.name),
                line={"color": _color(i), "shape": "hv", "width": 2},
                hovertemplate="%{x}: %{y:.1%}<extra>" + ptext(o.name) + "</extra>",
            )
        )
    fig.update_layout(
        **LAYOUT,
        height=400,
        yaxis={"tickformat": ".0%", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_yaxes(title_text="share of runs where it has happened")
    _mark_events(fig, results)
    return fig


def fig_peak_levels(results: RunResults) -> go.Figure:
    """Share of runs whose peak escalation reached each ladder level (or higher), with CIs."""
    d = stats.peak_level_distribution(results)
    fig = go.Figure(
        go.Bar(
            x=[ptext(n) for n in d["name"]],
            y=d["share_at_least"],
            marker_color="#d62728",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": d["ci_high"] - d["share_at_least"],
                "arrayminus": d["share_at_least"] - d["ci_low"],
            },
            customdata=d["share"],
            name="reached",
            hovertemplate="%{x}: reached by %{y:.1%} of runs; "
            "highest level for %{customdata:.1%}<extra></extra>",
        )
    )
    fig.update_layout(**LAYOUT, height=340, yaxis={"tickformat": ".0%", "range": [0, 1.05]}, showlegend=False)
    fig.update_yaxes(title_text="runs reaching the level")
    return fig


def fig_actions(results: RunResults) -> go.Figure:
    """Each actor's action mix per step (stacked shares), one subplot per actor."""
    sc = results.scenario
    counts = results.action_counts.astype(float)
    x = _dates(results, range(1, counts.shape[0] + 1))
    fig = make_subplots(
        rows=len(sc.actors),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.04,
        subplot_titles=[ptext(a.name) for a in sc.actors],
    )
    shown: set[str] = set()
    for i, actor in enumerate(sc.actors, start=1):
        total = counts[:, i - 1, :].sum(axis=1)
        total = np.where(total > 0, total, 1.0)
        for aid in actor.actions:
            k = sc.action_ids.index(aid)
            share = counts[:, i - 1, k] / total
            name = ptext(sc.action(aid).name)
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=share,
                    mode="lines",
                    stackgroup=f"actor{i}",
                    name=name,
                    legendgroup=aid,
                    showlegend=aid not in shown,
                    line={"width": 0.5, "color": _color(k)},
                    hovertemplate="%{x}: " + name + " %{y:.1%}<extra>" + ptext(actor.name) + "</extra>",
                ),
                row=i,
                col=1,
            )
            shown.add(aid)
        fig.update_yaxes(range=[0, 1], tickformat=".0%", row=i, col=1)
    fig.update_layout(**LAYOUT, height=220 * len(sc.actors) + 80, hovermode="x unified")
    return fig


def driver_outcomes(results: RunResults, table: Any) -> list[tuple[str, str]]:
    """(id, name) of the outcomes with at least one PRCC (the others never or always happened)."""
    ok = set(table.loc[table["prcc"].notna(), "outcome"])
    return [(o.id, o.name) for o in results.scenario.outcomes if o.id in ok]


def fig_drivers(results: RunResults, table: Any) -> go.Figure:
    """PRCC of the top drawn parameters with each outcome (one panel per outcome, stacked)."""
    outcomes = driver_outcomes(results, table)
    fig = make_subplots(
        rows=len(outcomes),
        cols=1,
        subplot_titles=[ptext(name) for _, name in outcomes],
        vertical_spacing=0.25 / max(len(outcomes), 1),
    )
    bars = 1
    for i, (oid, name) in enumerate(outcomes, start=1):
        sub = table[(table["outcome"] == oid) & table["prcc"].notna()].head(TOP_DRIVERS)[::-1]
        bars = max(bars, len(sub))
        colors = [
            "#d62728" if (s and c > 0) else "#1f77b4" if s else "#bbbbbb"
            for s, c in zip(sub["significant"], sub["prcc"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=sub["prcc"],
                y=[ptext(lbl) for lbl in sub["label"]],
                orientation="h",
                marker_color=colors,
                customdata=np.column_stack(
                    [sub["p_adjusted"], [ptext(p) for p in sub["param"]], sub["logit_coef"]]
                ),
                hovertemplate="%{customdata[1]}<br>PRCC %{x:.3f}, adjusted p %{customdata[0]:.2g}"
                "<br>logistic fit: %{customdata[2]:+.2f} log-odds per sd<extra></extra>",
                showlegend=False,
                name=ptext(name),
            ),
            row=i,
            col=1,
        )
        fig.update_xaxes(range=[-1, 1], row=i, col=1)
    fig.update_xaxes(title_text="PRCC (partial rank correlation)", row=len(outcomes), col=1)
    fig.update_layout(**LAYOUT, height=len(outcomes) * (22 * bars + 70) + 80)
    return fig


def fig_samples(results: RunResults) -> go.Figure:
    """A few whole trajectories; hover lists each actor's action; markers where escalation jumped."""
    sc = results.scenario
    fig = go.Figure()
    jump = JUMP_SHARE * sc.ladder.max
    for i, s in enumerate(results.samples):
        esc_path = np.asarray(s.escalation, dtype=float)
        acts = np.asarray(s.actions, dtype=int).reshape(-1, len(sc.actors)) if np.size(s.actions) else None
        hover = ["start"]
        for t in range(1, esc_path.size):
            if acts is None or t - 1 >= acts.shape[0]:
                hover.append("")
                continue
            hover.append(
                "<br>".join(
                    f"{ptext(a.name)}: {ptext(_action_name(sc, acts[t - 1, j]))}"
                    for j, a in enumerate(sc.actors)
                )
            )
        x = _dates(results, range(esc_path.size))
        color = _color(i)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=esc_path,
                mode="lines",
                name=f"run {s.run}",
                legendgroup=str(i),
                visible=True if i < SAMPLES_SHOWN else "legendonly",
                line={"color": color, "width": 1.5},
                text=hover,
                hovertemplate="%{x}: %{y:.1f}<br>%{text}<extra>run " + str(s.run) + "</extra>",
            )
        )
        rises = np.flatnonzero(np.diff(esc_path) > jump) + 1
        if rises.size:
            fig.add_trace(
                go.Scatter(
                    x=[x[t] for t in rises],
                    y=esc_path[rises],
                    mode="markers",
                    marker={"color": color, "size": 8, "symbol": "triangle-up"},
                    text=[hover[t] for t in rises],
                    legendgroup=str(i),
                    visible=True if i < SAMPLES_SHOWN else "legendonly",
                    showlegend=False,
                    name=f"run {s.run} jumps",
                    hovertemplate="jump to %{y:.1f}<br>%{text}<extra>run " + str(s.run) + "</extra>",
                )
            )
    fig.update_layout(**LAYOUT, height=460, legend={"orientation": "h", "y": -0.15})
    _ladder_axis(fig, results)
    _mark_events(fig, results)
    return fig


def _action_name(sc: Scenario, k: int) -> str:
    return sc.actions[k].name if 0 <= k < len(sc.actions) else f"action {k}"


# ---- HTML blocks -----------------------------------------------------------------------------


def headline_html(results: RunResults) -> Markup:
    """Cards per outcome (probability and 95% Wilson interval) and the run's metadata."""
    t = stats.outcome_table(results)
    meta = results.scenario.scenario
    cards = [
        Markup(
            f'<div class="card"><div>{esc(r["name"])}</div>'
            f'<div class="big">{esc(_pct(r["probability"]))}</div>'
            f'<div class="muted">95% CI {esc(_pct(r["ci_low"]))} to {esc(_pct(r["ci_high"]))}</div></div>'
        )
        for r in t.to_dict("records")
    ]
    info = (
        f"{len(results.runs):,} runs \u00b7 seed {results.seed} \u00b7 "
        f"batch size {results.batch_size} \u00b7 "
        f"{meta.start_date.isoformat()} to {meta.date_of(meta.horizon).isoformat()} "
        f"({meta.horizon} steps of {meta.step_days} day(s)) \u00b7 {results.elapsed_s:.1f} s"
    )
    rows = [
        [
            r["name"],
            _pct(r["probability"]),
            f"{_pct(r['ci_low'])} to {_pct(r['ci_high'])}",
            r["count"],
            "never" if r["median_date"] is None else r["median_date"].isoformat(),
        ]
        for r in t.to_dict("records")
    ]
    table = html_table(
        [
            "outcome",
            "probability",
            "95% Wilson CI",
            "runs where it happened",
            "median date of first occurrence",
        ],
        rows,
        numeric=[False, True, True, True, False],
    )
    desc = tag("p", meta.description) if meta.description else Markup("")
    variant = (
        tag("p", f"Variant of {results.scenario.variant_of}", "muted")
        if results.scenario.variant_of
        else Markup("")
    )
    return join(
        [
            desc,
            variant,
            tag("p", info, "muted"),
            Markup(f'<div class="headline">{"".join(cards)}</div>'),
            table,
        ]
    )


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a model dump; lists of dicts with ``id`` are keyed by id."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(v, dict) and "id" in v for v in obj):
        for v in obj:
            out.update(_flatten(v, f"{prefix}.{v['id']}"))
    else:
        out[prefix] = obj
    return out


def scenario_diff(scenario: Scenario, base: Scenario) -> dict[str, tuple[Any, Any]]:
    """Field paths whose value differs: path -> (base value, variant value); missing = None."""
    a = _flatten(base.model_dump(mode="json", exclude={"variant_of"}))
    b = _flatten(scenario.model_dump(mode="json", exclude={"variant_of"}))
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def _changed(diff: dict[str, tuple[Any, Any]], prefix: str) -> bool:
    return any(k == prefix or k.startswith(prefix + ".") for k in diff)


def scenario_html(scenario: Scenario, base: Scenario | None = None) -> Markup:
    """Actors, traits with distributions and provenance, events, sources; variant differences."""
    diff = scenario_diff(scenario, base) if base is not None else {}
    parts: list[Any] = [Markup('<section id="scenario"><h2>The scenario</h2>')]
    if base is not None:
        parts.append(
            tag(
                "p",
                f"Variant of {scenario.variant_of or base.scenario.id}: highlighted values "
                f"differ from the base scenario ({len(diff)} difference(s)).",
                "muted",
            )
        )
        if diff:
            parts.append(
                html_table(
                    ["field", "base", "this variant"],
                    [[k, _short(v[0]), _short(v[1])] for k, v in diff.items()],
                    row_classes=["changed"] * len(diff),
                )
            )
    actor_rows, actor_cls = [], []
    for a in scenario.actors:
        actor_rows.append([a.id, a.name, a.side, a.role, ", ".join(a.actions), ", ".join(a.adversaries)])
        actor_cls.append("changed" if _changed(diff, f"actors.{a.id}") else None)
    parts += [
        tag("h3", "Actors"),
        html_table(
            ["id", "name", "side", "role", "actions", "adversaries"], actor_rows, row_classes=actor_cls
        ),
    ]
    rows, cells = [], []
    for a in scenario.actors:
        for trait in TRAIT_NAMES:
            p: Param = getattr(a.traits, trait)
            changed = _changed(diff, f"actors.{a.id}.traits.{trait}")
            rows.append([a.id, trait, param_text(p), provenance_html(p)])
            cells.append([None, None, "changed" if changed else None, None])
    parts += [
        tag("h3", "Traits (value or distribution drawn per run) and where they come from"),
        html_table(["actor", "trait", "value", "provenance"], rows, cell_classes=cells),
    ]
    if scenario.events:
        ev_rows = [
            [
                e.name,
                e.start.isoformat(),
                e.end.isoformat() if e.end else "",
                param_text(e.probability) if e.probability else "1",
                provenance_html(e),
            ]
            for e in scenario.events
        ]
        parts += [
            tag("h3", "Scheduled events"),
            html_table(
                ["event", "start", "end", "probability", "provenance"],
                ev_rows,
                row_classes=[
                    "changed" if _changed(diff, f"events.{e.id}") else None for e in scenario.events
                ],
            ),
        ]
    src_rows = [
        [s.id, s.author, s.title, s.outlet, s.date.isoformat(), s.url or ""]
        for s in scenario.scenario.sources
    ]
    parts += [tag("h3", "Sources"), html_table(["id", "author", "title", "outlet", "date", "url"], src_rows)]
    if scenario.notes:
        parts.append(tag("p", scenario.notes, "muted"))
    parts.append(Markup("</section>"))
    return join(parts)


def _short(value: Any) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 200 else text[:197] + "..."


# ---- assembly --------------------------------------------------------------------------------


def run_sections(results: RunResults) -> list[Section]:
    """Every figure of the run report, in page order."""
    horizon_end = results.scenario.scenario.date_of(results.horizon)
    sections = [
        Section(
            "Outcomes",
            fig_outcomes(results),
            "Share of runs in which each outcome happened by "
            f"{horizon_end.isoformat()}; bars are 95% Wilson score intervals.",
        ),
        Section(
            "Escalation over time",
            fig_fan(results),
            f"Escalation on the scale {results.scenario.ladder.scale!r}: median with the bands holding "
            "50% and 90% of runs (from the per-step "
            "histogram, exact to one bin); dashed lines mark the ladder's levels, dotted lines and "
            "shaded windows the scheduled events.",
        ),
        Section(
            "Time to event",
            fig_time_to_event(results),
            "Cumulative share of runs in which each outcome had happened by each date.",
        ),
        Section(
            "How high it went",
            fig_peak_levels(results),
            "Share of runs whose peak escalation reached each ladder level or higher (95% Wilson).",
        ),
        Section(
            "Who does what",
            fig_actions(results),
            "Each actor's mix of actions per step over all runs (after vetoes and restraint).",
        ),
    ]
    table = drv.drivers_table(results)
    usable = driver_outcomes(results, table) if len(table) else []
    if usable:
        skipped = [o.name for o in results.scenario.outcomes if o.id not in {u[0] for u in usable}]
        note = f" Not shown (happened in all runs or in none): {', '.join(skipped)}." if skipped else ""
        sections.append(
            Section(
                "Why: what drives each outcome",
                fig_drivers(results, table),
                "Partial rank correlation (PRCC) of each uncertain parameter with each outcome, controlling "
                "for the others; red: significantly raises the chance, blue: significantly lowers it, grey: "
                f"not significant (Bonferroni-adjusted p < 0.05); top {TOP_DRIVERS} per outcome.{note}",
            )
        )
    if results.samples:
        sections.append(
            Section(
                "Sample trajectories",
                fig_samples(results),
                f"Whole runs (the first {SAMPLES_SHOWN} shown; click the legend for more). Hover for each "
                "actor's action at that step; triangles mark jumps of "
                f"more than {JUMP_SHARE:.0%} of the ladder.",
            )
        )
    return sections


def write_run_report(results: RunResults, out_path: str | Path, base: Scenario | None = None) -> Path:
    """Write the run report to ``out_path`` (atomically) and return the path.

    ``base``: the base scenario when ``results.scenario`` is a variant; its differing values
    are highlighted in the scenario section.
    """
    meta = results.scenario.scenario
    title = f"{meta.title}: {len(results.runs):,} simulated runs"
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = [scenario_html(results.scenario, base), tag("p", f"Generated {generated} by sim.", "muted")]
    view = report_view(results)  # long horizons drawn on a coarser clock (sim.report.limits)
    return write_report(out_path, title, [headline_html(results)], run_sections(view), footer)
