"""One Mesa agent per actor. An agent holds its state as arrays over the runs of a batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model import rules
from sim.model.compiled import UniformStream

if TYPE_CHECKING:
    from sim.model.model import EscalationModel


class ActorAgent(mesa.Agent):
    """An actor of the scenario (e.g. a leader, a government, an armed force).

    Each step it scores its actions with :func:`rules.action_utilities` from its traits and the
    state it sees, and chooses among those it may take with :func:`rules.choose_actions`.
    ``choice`` (N,) is the global index of the chosen action in each run; ``utilities`` (K_i, N) over
    ``scored`` actions is kept for this step so relations can read the actor's consent.
    """

    model: EscalationModel

    def __init__(self, model: EscalationModel, index: int, actor_id: str, rng: UniformStream):
        super().__init__(model)
        self.index = index
        self.actor_id = actor_id
        self.stream = rng
        cs = model.cs
        n = model.n_runs
        # The actions this actor scores: its catalogue, the status quo, and those of actors it
        # may veto or restrain. ``local[k]`` is the row of global action k (-1 if not scored).
        self.scored = cs.scored[index]
        self.local = np.full(cs.n_actions, -1, dtype=np.int64)
        self.local[self.scored] = np.arange(self.scored.size)
        self.acts = cs.acts.take(self.scored)
        self.may_take = cs.catalogue[index][self.scored]
        # Noise picks among the actor's signals (cheap talk) if it has any, else among its
        # non-military acts; it never replaces a military decision.
        signals = np.array(["signal" in cs.scenario.action(a).tags for a in cs.action_ids])[self.scored]
        self.steady = self.acts.mil > 0
        self.erratic = signals & self.may_take if (signals & self.may_take).any() else ~self.steady
        self.status_quo = int(self.local[cs.status_quo])
        self.choice = np.full(n, cs.status_quo, dtype=np.int64)
        self.utilities = np.zeros((self.scored.size, n))
        self.gate_draw = np.zeros(n)
        self._sens: rules.Sensitivities | None = None
        self._sens_epoch = -1

    def utility_inputs(self) -> rules.UtilityInputs:
        m, i = self.model, self.index
        return rules.UtilityInputs(
            hawk=m.effective["hawkishness"][i],
            reciprocity=m.effective["reciprocity"][i],
            resolve=m.effective["resolve"][i],
            cost=m.effective["cost_sensitivity"][i],
            aversion=m.effective["pressure_aversion"][i],
            wait=m.effective["wait_out"][i],
            risk=m.effective["risk_tolerance"][i],
            spoiler=m.effective["spoiler_motive"][i],
            distrust=m.distrust[i],
            pressure=m.pressure[i],
            hostility_seen=m.seen[i],
            hit=m.hit[i],
            escalation_frac=m.escalation / m.cs.e_max,
            prospect=m.prospect,
            before_wait=1.0 if m.steps < m.cs.wait_step[i] else 0.0,
        )

    def decide(self) -> None:
        """Score the actions, then choose one allowed action per run (synchronous update)."""
        m, i = self.model, self.index
        u_choice, u_tremble, u_pick, self.gate_draw = self.stream.random((4, m.n_runs))
        bonus, forbid = m.step_bonus[i], m.step_forbid[i]
        inputs = self.utility_inputs()
        if self._sens_epoch != m.trait_epoch:  # traits changed (or first step): recompute
            self._sens = rules.sensitivities(inputs, m.weights)
            self._sens_epoch = m.trait_epoch
        self.utilities = rules.action_utilities(self.acts, inputs, m.weights, self._sens)
        self.utilities += bonus
        if m.dyads is not None and (aim := m.dyads.aims[i]) is not None and self._sens is not None:
            seen, hit, distrust = m.dyads.view(i)  # acts aimed at some adversaries read those dyads
            aimed = rules.aimed_state(aim.share, aim.named, seen, hit, distrust, inputs.distrust)
            self.utilities[aim.rows] += rules.aimed_correction(aim.acts, self._sens, inputs, aimed)
        allowed = self.may_take[:, None] & ~forbid
        allowed[self.status_quo] = True  # the status quo is always possible
        self.choice = rules.choose_actions(
            self.utilities,
            allowed,
            m.dynamics["logit_precision"],
            m.effective["inconsistency"][i],
            u_choice,
            u_tremble,
            u_pick,
            erratic=self.erratic,
            steady=self.steady,
            acting=m.present[i] & m.reconsiders[i],  # absent, or holding course: the status quo
            status_quo=self.status_quo,
            labels=self.scored,  # the global index of each scored action
        )

    def consent(self, action: np.ndarray, stakes: float = 1.0) -> np.ndarray:
        """This actor's consent (N,) to global ``action`` (N,) taken by someone it gates; ``stakes``
        sharpens its judgement (a holder with more at stake consents or refuses more firmly)."""
        lam = self.model.dynamics["logit_precision"]
        if stakes != 1.0:
            lam = lam * stakes
        return rules.consent(self.utilities, self.local[action], self.status_quo, lam, self.acts.base)
