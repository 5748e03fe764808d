"""The scenario section of the run report: actors, traits with their distributions and
provenance, scheduled events, sources; for a variant, what differs from its base (highlighted).

Differences come from :func:`sim.scenario.display.scenario_diff`, values are formatted by
:func:`sim.scenario.display.format_param`; all text is escaped by :mod:`sim.report.page`.
"""

from __future__ import annotations

from typing import Any

from sim.report.page import Markup, html_table, join, tag
from sim.scenario.display import format_param, scenario_diff
from sim.scenario.schema import TRAIT_NAMES, Param, Scenario
from sim.scenario.traits import TRAIT_BY_NAME


def provenance_html(obj: Any) -> Markup:
    """Quote (with source id) or assumption of a Param/Action/Event, escaped."""
    quote, source, assumption = (getattr(obj, k, None) for k in ("quote", "source", "assumption"))
    if quote:
        src = f" ({source})" if source else ""
        return join([tag("span", f"\u201c{quote}\u201d", "quote"), src])
    if assumption:
        return tag("span", f"assumption: {assumption}", "muted")
    calibrated = getattr(obj, "calibrated", None)
    if calibrated:
        return tag("span", f"calibrated: {calibrated}", "muted")
    return Markup("")


def _changed(diff: dict[str, tuple[Any, Any]], prefix: str) -> bool:
    return any(k == prefix or k.startswith(prefix + ".") for k in diff)


def scenario_html(scenario: Scenario, base: Scenario | None = None) -> Markup:
    """Actors, traits with distributions and provenance, events, sources; variant differences."""
    diff = scenario_diff(base, scenario) if base is not None else {}
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
            rows.append([a.id, TRAIT_BY_NAME[trait].label, format_param(p, named=False), provenance_html(p)])
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
                format_param(e.probability, named=False) if e.probability else "1",
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
