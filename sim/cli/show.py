"""``sim show FILE``: the resolved scenario as readable tables.

Metadata, actors (traits as value or distribution, with provenance), actions (Goldstein score,
tags), relations, events (dates and steps), levers (on/off) and outcomes. For a variant, a last
table lists what differs from its base.
"""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.cli.options import set_option, with_sets
from sim.scenario.display import differences
from sim.scenario.display import format_param as fmt_param
from sim.scenario.kinds.bargaining import describe_offer
from sim.scenario.kinds.conditions import describe_condition
from sim.scenario.kinds.relations import RELATIONS, describe_relation
from sim.scenario.loader import load_scenario, summary
from sim.scenario.schema import CAPABILITY_NAMES, TRAIT_NAMES, Condition, Scenario
from sim.workflow.base import base_of


def fmt_prov(item: Any, width: int = 70) -> str:
    """Provenance of anything with quote/source/assumption, shortened to ``width`` characters."""
    if getattr(item, "quote", None):
        text = f"\u201c{item.quote}\u201d" + (f" [{item.source}]" if item.source else "")
    elif getattr(item, "assumption", None):
        text = f"assumption: {item.assumption}"
    elif getattr(item, "calibrated", None):
        text = f"calibrated: {item.calibrated}"
    else:
        return ""
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def fmt_condition(c: Condition) -> str:
    """A condition on one line."""
    return describe_condition(c)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    return table


def _add(table: Table, *cells: str) -> None:
    """Add a row of plain text (user text is never read as rich markup)."""
    table.add_row(*(Text(c) for c in cells))


def render(scenario: Scenario, console: Console, base: Scenario | None = None) -> None:
    """Print every table of ``scenario`` (and its differences from ``base``) to ``console``."""
    meta = scenario.scenario
    head = _table(f"Scenario {meta.id}", "field", "value")
    _add(head, "title", meta.title)
    if scenario.variant_of:
        _add(head, "variant of", scenario.variant_of)
    _add(
        head,
        "period",
        f"{meta.start_date} .. {meta.date_of(meta.horizon)} ({meta.horizon} steps of {meta.step_days} days)",
    )
    mc = meta.monte_carlo
    _add(head, "monte carlo", f"{mc.runs} runs, seed {mc.seed}, batch {mc.batch_size}")
    _add(head, "contents", summary(scenario))
    _add(head, "status quo action", scenario.status_quo_action)
    _add(head, "initial escalation", fmt_param(scenario.initial.escalation))
    for sp in scenario.initial.pressure:
        _add(head, f"initial pressure {sp.side}", fmt_param(sp.value))
    _add(
        head,
        "sources",
        "; ".join(f"{s.id}: {s.author}, {s.title} ({s.outlet}, {s.date})" for s in meta.sources),
    )
    console.print(head)
    _tracks(scenario, console)

    actors = _table("Actors", "actor", "side", "role", "actions", "adversaries", "waits for")
    for a in scenario.actors:
        _add(actors, a.id, a.side, a.role, ", ".join(a.actions), ", ".join(a.adversaries), a.waits_for or "-")
    console.print(actors)
    traits = _table("Traits and capabilities", "actor", "name", "value", "provenance")
    for a in scenario.actors:
        for t in TRAIT_NAMES:
            p = getattr(a.traits, t)
            _add(traits, a.id, t, fmt_param(p), fmt_prov(p))
        for c in CAPABILITY_NAMES:
            p = getattr(a.capabilities, c)
            _add(traits, a.id, f"capability {c}", fmt_param(p), fmt_prov(p))
        for r in a.red_lines:
            effect = ", ".join(
                [*(f"forbid {x}" for x in r.forbid), *(f"{k} {v:+g}" for k, v in r.utility.items())]
            )
            _add(traits, a.id, f"red line {r.id}", f"when {fmt_condition(r.when)}: {effect}", fmt_prov(r))
    console.print(traits)

    actions = _table("Actions", "action", "name", "goldstein", "tags", "cost and effects", "provenance")
    for ac in scenario.actions:
        _add(
            actions,
            ac.id,
            ac.name,
            f"{ac.goldstein:+g}",
            ", ".join(ac.tags),
            _action_effects(scenario, ac),
            fmt_prov(ac),
        )
    console.print(actions)

    if scenario.relations:
        rels = _table("Relations", "relation", "type", "between", "value")
        for rel in scenario.relations:
            _add(rels, rel.id, rel.type, _between(rel), _relation_value(rel))
        console.print(rels)
    _events_and_levers(scenario, console)
    outs = _table("Outcomes", "outcome", "name", "when")
    for o in scenario.outcomes:
        _add(outs, o.id, o.name, fmt_condition(o.when))
    console.print(outs)
    if base is not None:
        console.print(diff_table(base, scenario))


def _action_effects(scenario: Scenario, ac: Any) -> str:
    """Base utility (the actor's own cost of acting) and per-use effects of an action."""
    push = ac.effects.escalation
    escalation = push if push is not None else -ac.goldstein * scenario.ladder.points_per_goldstein
    parts = [f"base utility {ac.base_utility:+g}", f"escalation {escalation + 0.0:+g}"]  # no "-0"
    if ac.effects.pressure_on_adversaries:
        parts.append(f"pressure {ac.effects.pressure_on_adversaries:+g}")
    if ac.effects.prospect:
        parts.append(f"prospect {ac.effects.prospect:+g}")
    parts += [f"track {k} {v:+g}" for k, v in ac.effects.tracks.items()]
    if ac.targets:
        parts.append(f"targets {', '.join(ac.targets)}")
    if ac.offer is not None:
        parts.append(describe_offer(ac.offer))
    return "; ".join(parts)


def _tracks(scenario: Scenario, console: Console) -> None:
    """The escalation tracks beside the main ladder (docs/model.md, tracks), if any."""
    if not scenario.ladder.tracks:
        return
    table = _table(
        "Escalation tracks (own index each; relax at dynamics.relaxation)",
        "track",
        "name",
        "max",
        "rungs",
        "provenance",
    )
    for t in scenario.ladder.tracks:
        rungs = ", ".join(
            f"{lv.name} {lv.at:g}" + (f" (requires {' or '.join(lv.requires)})" if lv.requires else "")
            for lv in t.levels
        )
        _add(table, t.id, t.name, f"{t.max:g}", rungs, fmt_prov(t))
    console.print(table)


def _between(r: Any) -> str:
    return describe_relation(r)


def _relation_value(r: Any) -> str:
    field = RELATIONS[r.type].param
    return f"{field} {fmt_param(getattr(r, field))}"


def _events_and_levers(scenario: Scenario, console: Console) -> None:
    meta = scenario.scenario
    if scenario.events:
        events = _table("Events", "event", "name", "dates", "steps", "probability", "effects")
        for e in scenario.events:
            dates = f"{e.start}" + (f" .. {e.end}" if e.end else "")
            steps = f"{meta.step_of(e.start)}" + (f" .. {meta.step_of(e.end)}" if e.end else "")
            _add(
                events,
                e.id,
                e.name,
                dates,
                steps,
                fmt_param(e.probability) if e.probability else "1",
                ", ".join(f.key for f in e.effects) or "-",
            )
        console.print(events)
    if scenario.levers:
        levers = _table("Levers", "lever", "name", "state", "effects")
        for lv in scenario.levers:
            _add(levers, lv.id, lv.name, "on" if lv.on else "off", ", ".join(_effect(f) for f in lv.effects))
        console.print(levers)
    if scenario.states:
        states = _table("States that persist", "state", "owner", "starts / ends with", "costs", "effects")
        for st in scenario.states:
            switch = f"{'on at start; ' if st.initially else ''}{'|'.join(st.starts_with) or '-'} / "
            switch += "|".join(st.ends_with) or "-"
            costs = f"keep {st.keep_cost:g}, reverse {st.reverse_cost:g}"
            costs += f", expires after {st.expires_after}" if st.expires_after else ""
            _add(states, st.id, st.owner, switch, costs, ", ".join(f.describe() for f in st.effects) or "-")
        console.print(states)


def _effect(f: Any) -> str:
    return f.describe() if f.key == "set" else str(f.key)


def diff_table(base: Scenario, variant: Scenario) -> Table:
    """The differences of ``variant`` from ``base`` as a table."""
    table = _table(f"Differences from base {base.scenario.id}", "what", "base", "variant")
    rows = differences(base, variant)
    for row in rows:
        _add(table, *row)
    if not rows:
        _add(table, "(no differences in numbers, ids or levers)", "", "")
    return table


def _console() -> Console:
    console = Console()
    if not console.is_terminal:
        console = Console(width=140)
    return console


@click.command(name="show")
@click.argument("file", type=click.Path(dir_okay=False))
@set_option
def command(file: str, sets: tuple[str, ...]) -> None:
    """Show the resolved scenario FILE (variants merged, --set applied) as tables."""
    scenario = with_sets(load_scenario(file), sets)
    render(scenario, _console(), base_of(scenario, file))
