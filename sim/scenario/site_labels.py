"""Reader-facing words for parameter paths, used by the parameter-site table
(:mod:`sim.scenario.sites`, which gives each site its label) and by reports that have only a
path (e.g. an old sweep store): :func:`label_from_path`. Trait words come from
:mod:`sim.scenario.traits`. Add a dynamics field or a utility weight: add its words here.
"""

from __future__ import annotations

from sim.scenario.traits import TRAIT_BY_NAME

DYNAMICS_LABELS: dict[str, str] = {
    "logit_precision": "how firmly actors pick their best act (logit precision)",
    "relaxation": "calming of escalation per step",
    "accident_base": "chance of an accident when calm",
    "accident_growth": "rise of accident risk with escalation",
    "accident_severity": "size of an accident (ladder points)",
    "pressure_decay": "fading of pressure per step",
    "distrust_learning": "speed at which distrust follows hostility",
    "mixed_signal_sensitivity": "distrust caused by mixed signals",
    "prospect_decay": "fading of the prospect of talks",
    "reconsider_rate": "chance per step to reconsider course",
}
"""Reader-facing words for ``dynamics.<name>`` (reports, ``sim show``); a name missing here is
shown with its underscores as spaces."""

WEIGHT_LABELS: dict[str, str] = {
    "disposition": "weight of hawkish or dovish disposition",
    "reciprocity": "weight of answering in kind",
    "resolve": "weight of resolve",
    "pain": "weight of the pain suffered",
    "duress": "weight of refusing talks under pressure",
    "distrust": "weight of distrust",
    "wait_out": "weight of waiting out a date",
    "war_cost": "weight of the cost of war",
    "spoiler": "weight of spoiling talks",
}
"""Reader-facing words for ``dynamics.weights.<name>``; missing names read "weight of <name>"."""


BARGAINING_LABELS: dict[str, str] = {
    "deal_weight": "value of a deal from worst to best terms (utility points)",
    "audience_cost": "cost of accepting after a public refusal",
    "defection_rate": "chance per step of defecting from a deal",
    "offer_prospect": "prospect of talks a public offer raises",
}
"""Reader-facing words for ``bargaining.<name>``."""

POSITION_WORDS: dict[str, str] = {
    "ideal": "ideal point on",
    "salience": "salience of",
    "reservation": "reservation point on",
}
"""Words for ``actors.<id>.positions.<issue>.<field>``: field words before the issue."""


def words(name: str) -> str:
    return name.replace("_", " ")


def label_from_path(path: str) -> str:
    """Reader-facing label of a parameter path when the scenario is not at hand (ids, not names):
    ``actors.khamenei.traits.pressure_aversion`` -> ``khamenei: refusal to talk under pressure``."""
    parts = path.split(".")
    if len(parts) == 4 and parts[0] == "actors" and parts[2] == "traits" and parts[3] in TRAIT_BY_NAME:
        return f"{parts[1]}: {TRAIT_BY_NAME[parts[3]].label}"
    if len(parts) == 4 and parts[0] == "actors" and parts[2] == "capabilities":
        return f"{parts[1]}: {parts[3]} capability"
    if len(parts) == 3 and parts[:2] == ["dynamics", "weights"]:
        return WEIGHT_LABELS.get(parts[2], f"weight of {words(parts[2])}")
    if len(parts) == 2 and parts[0] == "dynamics":
        return DYNAMICS_LABELS.get(parts[1], words(parts[1]))
    if len(parts) == 3 and parts[0] == "events":
        return f"chance of {parts[1]}" if parts[2] == "probability" else f"{parts[2]} of {parts[1]} (days)"
    if len(parts) == 3 and parts[0] == "relations":
        return f"{parts[1]}: {words(parts[2])}"
    if parts == ["initial", "escalation"]:
        return "initial escalation"
    if len(parts) == 3 and parts[:2] == ["initial", "pressure"]:
        return f"initial pressure on {parts[2]}"
    if len(parts) == 2 and parts[0] == "bargaining":
        return BARGAINING_LABELS.get(parts[1], words(parts[1]))
    if len(parts) == 5 and parts[0] == "actors" and parts[2] == "positions" and parts[4] in POSITION_WORDS:
        return f"{parts[1]}: {POSITION_WORDS[parts[4]]} {words(parts[3])}"
    return words(path)
