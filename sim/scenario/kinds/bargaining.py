"""Bargaining: negotiable issues, positions, offers, and deals that hold or break.

A scenario may declare ``bargaining:`` (the issues, each on 0..1, and four constants) and give
actors ``positions:`` on the issues (ideal point, salience, reservation point: Params with
provenance). An action with ``offer:`` puts terms on the table for an addressee; the addressee
accepts or refuses when it reconsiders; veto holders over it (``veto`` relations with
``deals: true``) must consent; an accepted offer is a deal in force whose parties may defect.
The protocol is written as equations in docs/model.md ("Bargaining"); the per-run arrays and
rules are in ``sim.model.bargain``. This module holds the schema, the cross-checks and the
compilation to arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.base import Frozen, Identifier, Param, ShortText, check_range, unit
from sim.scenario.kinds.conditions import Cond, Condition
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks

BEST = "best_acceptable"
"""Terms the proposer computes: the point nearest its ideal that the addressee would accept."""

ACCEPT_AIM = 0.9
"""A ``best_acceptable`` offer aims at this chance of acceptance (its margin is
ln(0.9/0.1)/lambda utility points above indifference; as lambda grows it lands on the
addressee's indifference point, the textbook ultimatum answer). An assumption of the protocol."""


class InForce(Frozen):
    """While a deal whose term on this issue is at least ``at_least`` holds, ``state`` is on."""

    state: Identifier
    at_least: float = Field(0.5, ge=0, le=1)


class Issue(Frozen):
    """A negotiable dimension on 0..1: ``low`` says what 0 means, ``high`` what 1 means."""

    id: Identifier
    name: ShortText
    low: ShortText
    high: ShortText
    puts_in_force: list[InForce] = []
    lifts: list[InForce] = Field(
        [],
        description="States a deal switches off when struck, if its term here is at least at_least "
        "(e.g. relief lifts sanctions in force); a breakdown does not restart them.",
    )
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _prov(self) -> Issue:
        if (self.quote is None) == (self.assumption is None):
            raise ValueError("give exactly one of `quote:` or `assumption:` for the issue")
        return self


def _default(value: float, why: str) -> Param:
    return Param(value=value, assumption=why)


class Bargaining(Frozen):
    """The issues and the protocol's constants (docs/model.md, Bargaining)."""

    issues: list[Issue] = Field(min_length=1)
    deal_weight: Param = Field(
        _default(
            4.0,
            "default: a deal from the worst to the best terms is worth 4 utility points, "
            "the size of the war-cost weight range (model assumption, to calibrate)",
        ),
        description="utility points of going from the worst terms (0) to one's ideal (1), 0..50",
    )
    audience_cost: Param = Field(
        _default(
            1.0,
            "default: accepting after a public refusal costs 1 utility point "
            "(Fearon 1994's audience cost; size an assumption)",
        ),
        description="utility points lost by accepting after refusing a public offer, 0..50",
    )
    defection_rate: Param = Field(
        _default(
            0.02,
            "default: a fully distrustful party that prefers going on defects on 2% of "
            "steps (model assumption, to calibrate)",
        ),
        description="top chance per step that a party defects from a deal in force, 0..1",
    )
    offer_prospect: Param = Field(
        _default(
            0.05,
            "default: a public offer on the table adds 0.05 per step to the prospect "
            "of talks that spoilers read (model assumption)",
        ),
        description="talks prospect a public offer on the table adds per step, 0..1",
    )

    @model_validator(mode="after")
    def _ranges(self) -> Bargaining:
        check_range(self.deal_weight, 0.0, 50.0, "deal_weight, in utility points")
        check_range(self.audience_cost, 0.0, 50.0, "audience_cost, in utility points")
        unit(self.defection_rate, "defection_rate is a chance per step")
        unit(self.offer_prospect, "offer_prospect is a prospect per step")
        return self

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]


class Position(Frozen):
    """An actor's position on one issue: ideal point, salience (weight), reservation point."""

    ideal: Param
    salience: Param
    reservation: Param

    @model_validator(mode="after")
    def _unit(self) -> Position:
        unit(self.ideal, "an ideal point on the issue's 0..1 scale")
        unit(self.salience, "a salience weight")
        unit(self.reservation, "a reservation point on the issue's 0..1 scale")
        return self


POSITION_FIELDS: tuple[str, ...] = ("ideal", "salience", "reservation")


class Offer(Frozen):
    """What choosing the action puts on the table (docs/model.md, Bargaining)."""

    to: Identifier = Field(description="The actor the offer is addressed to.")
    terms: dict[Identifier, float] | Literal["best_acceptable"] = Field(
        description="A value per issue on 0..1 (issues left out: the proposer's ideal), or "
        "`best_acceptable`: the terms nearest the proposer's ideal the addressee would accept."
    )
    private: bool = Field(False, description="Seen only by its parties: no prospect for spoilers.")
    preconditions: Condition | None = Field(
        None, description="Must hold for the offer to be accepted (e.g. relief first)."
    )
    expires_after: int | None = Field(None, ge=1, le=100_000, description="Steps it stays on the table.")

    @model_validator(mode="after")
    def _terms(self) -> Offer:
        if isinstance(self.terms, dict):
            for k, v in self.terms.items():
                if not 0.0 <= v <= 1.0:
                    raise ValueError(f"terms[{k}] = {v} is outside the issue's 0..1 scale")
        return self


# ---- cross-checks -----------------------------------------------------------------------------


def check_bargaining(ck: RefChecks, data: Mapping[str, Any]) -> None:
    """Issues named by positions, offers and terms exist; offers need a `bargaining:` section,
    an addressee and positions of their parties; puts_in_force and lifts name states."""
    section = data.get("bargaining")
    issues: set[str] = set()
    if isinstance(section, Mapping):
        for i, issue in _items(section, "issues"):
            if isinstance(issue.get("id"), str):
                issues.add(issue["id"])
            for key in ("puts_in_force", "lifts"):
                for j, f in _items(issue, key):
                    where = ("bargaining", "issues", i, key, j, "state")
                    ck.ref(where, f.get("state"), ck.state_ids, "state")
    with_positions = set()
    for a, actor in _items(data, "actors"):
        positions = actor.get("positions")
        if isinstance(positions, Mapping) and positions:
            if isinstance(actor.get("id"), str):
                with_positions.add(actor["id"])
            for key in positions:
                if section is None:
                    ck.add(
                        ("actors", a, "positions"), "positions need a `bargaining:` section with the issues"
                    )
                    break
                ck.ref(("actors", a, "positions", key), key, issues, "issue")
    for k, action in _items(data, "actions"):
        offer = action.get("offer")
        if not isinstance(offer, Mapping):
            continue
        loc: Loc = ("actions", k, "offer")
        if section is None:
            ck.add(loc, "an offer needs a `bargaining:` section declaring the issues")
            continue
        ck.ref((*loc, "to"), offer.get("to"), ck.actor_ids, "actor")
        if (
            isinstance(offer.get("to"), str)
            and offer["to"] in ck.actor_ids
            and offer["to"] not in with_positions
        ):
            ck.add(
                (*loc, "to"),
                f"the addressee `{offer['to']}` has no `positions:`; give it a position on the issues",
            )
        terms = offer.get("terms")
        if isinstance(terms, Mapping):
            for key in terms:
                ck.ref((*loc, "terms", key), key, issues, "issue")
        if offer.get("preconditions") is not None:
            ck.condition((*loc, "preconditions"), offer["preconditions"], False)
        users = [
            actor.get("id")
            for _, actor in _items(data, "actors")
            if isinstance(actor.get("actions"), list) and action.get("id") in actor["actions"]
        ]
        for user in users:
            if isinstance(user, str) and user not in with_positions:
                ck.add(
                    loc,
                    f"`{user}` may make this offer but has no `positions:`; give it a position on the issues",
                )


def _items(node: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = node.get(key)
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, Mapping)]


# ---- compilation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferSpec:
    """A compiled offer: the action, the addressee, terms (I,) (NaN: the proposer's ideal),
    whether the proposer computes them (``best``), private, preconditions, expiry (0: never)."""

    action: int
    to: int
    terms: np.ndarray
    best: bool
    private: bool
    preconditions: Cond | None
    expires_after: int


@dataclass(frozen=True)
class BargainSpec:
    """A scenario's bargaining, as arrays. I: issues, A: actors.

    ``offers`` one per offer action; ``offer_slot`` (K,) the offer of
    each action (-1: not an offer); ``in_force`` (issue, state index, at_least) triples, and
    ``lifted`` the same for the states a deal switches off when struck;
    ``deal_vetoes`` (holder, subject, relation id, stakes) of the vetoes that cover deals.
    """

    issue_ids: tuple[str, ...]
    offers: tuple[OfferSpec, ...]
    offer_slot: np.ndarray
    in_force: tuple[tuple[int, int, float], ...]
    lifted: tuple[tuple[int, int, float], ...]
    deal_vetoes: tuple[tuple[int, int, str, float], ...]

    @property
    def n_issues(self) -> int:
        return len(self.issue_ids)


def compile_bargaining(sc: Any, cc: Compiler, condition: Any) -> BargainSpec | None:
    """The bargaining arrays of scenario ``sc`` (None when it declares no bargaining);
    ``condition`` compiles a :class:`Condition`."""
    section: Bargaining | None = sc.bargaining
    if section is None:
        return None
    issue_ids = section.issue_ids
    index = {k: n for n, k in enumerate(issue_ids)}
    offers: list[OfferSpec] = []
    slot = np.full(cc.n_actions, -1, dtype=np.int64)
    for k, action in enumerate(sc.actions):
        offer: Offer | None = action.offer
        if offer is None:
            continue
        terms = np.full(len(issue_ids), np.nan)
        if isinstance(offer.terms, dict):
            for key, value in offer.terms.items():
                terms[index[key]] = value
        slot[k] = len(offers)
        offers.append(
            OfferSpec(
                action=k,
                to=cc.actor_index[offer.to],
                terms=terms,
                best=offer.terms == BEST,
                private=offer.private,
                preconditions=None if offer.preconditions is None else condition(offer.preconditions),
                expires_after=offer.expires_after or 0,
            )
        )
    in_force, lifted = (
        tuple(
            (index[issue.id], cc.state_index[f.state], f.at_least)
            for issue in section.issues
            for f in getattr(issue, key)
        )
        for key in ("puts_in_force", "lifts")
    )
    vetoes = tuple(
        (cc.actor_index[r.holder], cc.actor_index[r.subject], r.id, r.stakes)
        for r in sc.relations
        if r.type == "veto" and getattr(r, "deals", False)
    )
    return BargainSpec(
        issue_ids=tuple(issue_ids),
        offers=tuple(offers),
        offer_slot=slot,
        in_force=in_force,
        lifted=lifted,
        deal_vetoes=vetoes,
    )


def describe_offer(offer: Offer) -> str:
    """One line for ``sim show``: to whom, on what terms, public or private."""
    terms = (
        "the best terms it would accept"
        if offer.terms == BEST
        else ", ".join(f"{k} {v:g}" for k, v in offer.terms.items())  # type: ignore[union-attr]
    )
    how = "private" if offer.private else "public"
    pre = ", with preconditions" if offer.preconditions is not None else ""
    return f"{how} offer to {offer.to}: {terms}{pre}"
