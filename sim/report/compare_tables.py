"""The tables of the comparison report (``sim compare``): outcome probabilities with paired
differences, escalation differences, how each variant was paired, what each variant changes; and
the same headline tables as Markdown (``comparison.md``).

HTML text is escaped by :mod:`sim.report.page`; Markdown uses scenario text as is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sim.analysis import stats
from sim.analysis.compare import VariantComparison
from sim.core import columns as col
from sim.engine.results import RunResults
from sim.report.compare_figures import interval_pp, p_value_text, pp, title_of
from sim.report.page import Markup, html_table, join, tag
from sim.scenario.display import collapse_items, scenario_diff
from sim.scenario.sites import param_labels


def _pct(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{100 * x:.1f}%"


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
                title_of(base),
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
                    pp(d.diff),
                    interval_pp(d.paired),
                    interval_pp(d.unpaired),
                    p_value_text(d.p_value),
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
        diff = scenario_diff(base.scenario, v.scenario)
        diff.pop("scenario.id", None)
        diff.pop("scenario.title", None)
        diff.pop("scenario.description", None)
        parts.append(tag("h3", title_of(v)))
        labels = param_labels(v.scenario)
        rows = [[_label_of(k, labels), k, _short(a), _short(b)] for k, (a, b) in collapse_items(diff).items()]
        if not any(r[0] for r in rows):  # no parameter among the changes (levers, rules...)
            rows = [r[1:] for r in rows]
        table = html_table(["what", "field", "base", "variant"][-len(rows[0]) :] if rows else [], rows)
        parts.append(table if rows else tag("p", "no change"))
    parts.append(Markup("</section>"))
    return join(parts)


def _label_of(key: str, labels: dict[str, str]) -> str:
    """Readable words of a changed field: the label of the parameter it belongs to, else ""."""
    hits = [p for p in labels if key == p or key.startswith(p + ".")]
    return labels[max(hits, key=len)] if hits else ""


def _short(value: Any, limit: int = 120) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        cells = [f"{100 * base.tally.share(col.happened(o.id)):.1f}%"]
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
