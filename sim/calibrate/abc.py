"""ABC-SMC (Toni et al. 2009; Beaumont et al. 2009) on the unit cube, for batch simulators.

Parameters live on the unit cube: particle ``u`` in [0, 1]^k maps to the model's constants by each
prior's inverse CDF (``theta_d = F_d^-1(u_d)``), so every prior is uniform on the cube and its
density is 1 inside, 0 outside. A *simulator* takes a whole population ``(n, k)`` at once and
returns summary statistics ``(n, m)``: the engine runs all particles of a round as one batch.

Generation 0: ``n0 = prior_factor * N`` prior draws; the statistics are scaled by their median
absolute deviation (MAD) over these draws; the N closest particles are kept, with equal weights,
and epsilon_0 is the largest distance kept. Distance: d(x, y) = sqrt(sum_j ((x_j - y_j) / s_j)^2).

Generation t >= 1: epsilon_t = the ``quantile`` (default median) of generation t-1's distances.
Rounds of proposals until N are accepted: pick a particle j with probability w_j, move it by a
Gaussian kernel K_j with diagonal variance 2 * weighted variance of generation t-1 (Beaumont et al.),
truncated to the cube; simulate; accept when d <= epsilon_t. Weights
``w_i ∝ 1 / sum_j w_j K_j(u_i)`` (prior density 1), where K_j is the truncated kernel density.
The effective sample size is ESS = (sum w)^2 / sum w^2 (N for equal weights).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

Simulator = Callable[[np.ndarray, int], np.ndarray]
"""(particles (n, k) in [0, 1]^k, batch key) -> summary statistics (n, m). The key is unique per
generation and round, so the simulator can derive its random streams from it."""


@dataclass(frozen=True)
class Settings:
    """``particles`` N per generation; ``generations`` T (including generation 0); ``prior_factor``
    prior draws per particle in generation 0; ``quantile`` of last distances giving the next
    epsilon; ``min_acceptance``: stop early below this acceptance rate; ``max_round``: the
    largest batch of one round; ``seed``: root of the proposals' random streams."""

    particles: int = 500
    generations: int = 6
    prior_factor: int = 4
    quantile: float = 0.5
    min_acceptance: float = 0.01
    max_round: int = 20_000
    seed: int = 0


@dataclass(frozen=True)
class Generation:
    """One population: particles ``u`` (N, k), normalised weights ``w`` (N,), distances ``d``,
    statistics ``stats`` (N, m), ``eps``, simulations spent, acceptance rate and ESS."""

    t: int
    u: np.ndarray
    w: np.ndarray
    d: np.ndarray
    stats: np.ndarray
    eps: float
    sims: int
    acceptance: float

    @property
    def ess(self) -> float:
        return ess(self.w)


def ess(w: np.ndarray) -> float:
    """Effective sample size (sum w)^2 / sum w^2."""
    w = np.asarray(w, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


def mad_scale(x: np.ndarray) -> np.ndarray:
    """Median absolute deviation per column (m,), 1.0 where it is 0 (the statistic barely varies;
    the std is used if it varies at all)."""
    med = np.median(x, axis=0)
    mad = np.median(np.abs(x - med), axis=0)
    sd = x.std(axis=0)
    return np.where(mad > 0, mad, np.where(sd > 0, sd, 1.0))


def distance(x: np.ndarray, observed: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Scaled Euclidean distance of every row of ``x`` (n, m) to ``observed`` (m,)."""
    return np.asarray(np.sqrt((((x - observed) / scale) ** 2).sum(axis=1)))


def rng_for(seed: int, t: int, r: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(t, r)))


def batch_key(t: int, r: int) -> int:
    """A unique int per (generation, round) for the simulator's streams."""
    return t * 100_000 + r


def initial(simulate: Simulator, observed: np.ndarray, k: int, s: Settings) -> tuple[Generation, np.ndarray]:
    """Generation 0 (rejection from the prior) and the statistics' scale (m,)."""
    n0 = s.prior_factor * s.particles
    u = rng_for(s.seed, 0, 0).random((n0, k))
    x = np.asarray(simulate(u, batch_key(0, 0)), dtype=float)
    scale = mad_scale(x)
    d = distance(x, observed, scale)
    keep = np.argsort(d, kind="stable")[: s.particles]
    gen = Generation(
        t=0,
        u=u[keep],
        w=np.full(s.particles, 1.0 / s.particles),
        d=d[keep],
        stats=x[keep],
        eps=float(d[keep].max()),
        sims=n0,
        acceptance=s.particles / n0,
    )
    return gen, scale


def kernel_sd(prev: Generation) -> np.ndarray:
    """Per-dimension kernel sd: sqrt(2 * weighted variance) of the previous population."""
    mean = prev.w @ prev.u
    var = prev.w @ (prev.u - mean) ** 2
    return np.asarray(np.sqrt(np.maximum(2.0 * var, 1e-12)))


def _propose(prev: Generation, sd: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` particles from the weighted previous population moved by the truncated kernel."""
    j = rng.choice(len(prev.w), size=n, p=prev.w)
    mu = prev.u[j]
    lo, hi = (0.0 - mu) / sd, (1.0 - mu) / sd
    return np.asarray(stats.truncnorm.rvs(lo, hi, loc=mu, scale=sd, random_state=rng))


def kernel_weights(u: np.ndarray, prev: Generation, sd: np.ndarray) -> np.ndarray:
    """Normalised importance weights 1 / sum_j w_j K_j(u_i) for accepted particles ``u``."""
    dens = np.zeros(len(u))
    mass = np.prod(stats.norm.cdf((1.0 - prev.u) / sd) - stats.norm.cdf(-prev.u / sd), axis=1)  # (N,)
    for start in range(0, len(u), 512):  # (512, N, k) at a time
        z = (u[start : start + 512, None, :] - prev.u[None, :, :]) / sd
        k = np.exp(-0.5 * (z**2).sum(axis=2)) / np.prod(sd) / mass
        dens[start : start + 512] = k @ prev.w
    w = 1.0 / np.maximum(dens, 1e-300)
    return np.asarray(w / w.sum())


def next_generation(
    prev: Generation, simulate: Simulator, observed: np.ndarray, scale: np.ndarray, s: Settings
) -> Generation:
    """Generation ``prev.t + 1`` (see the module docstring)."""
    t = prev.t + 1
    eps = float(np.quantile(prev.d, s.quantile))
    sd = kernel_sd(prev)
    acc_u, acc_x, acc_d = [], [], []
    sims, accepted, r = 0, 0, 0
    rate = max(prev.acceptance, s.min_acceptance)
    while accepted < s.particles:
        need = s.particles - accepted
        n = int(min(s.max_round, max(need, np.ceil(1.2 * need / rate))))
        u = _propose(prev, sd, n, rng_for(s.seed, t, r))
        x = np.asarray(simulate(u, batch_key(t, r)), dtype=float)
        d = distance(x, observed, scale)
        ok = d <= eps
        acc_u.append(u[ok])
        acc_x.append(x[ok])
        acc_d.append(d[ok])
        sims += n
        accepted += int(ok.sum())
        rate = max(accepted / sims, s.min_acceptance / 10)
        r += 1
        if r > 1000:
            raise RuntimeError(f"generation {t}: fewer than {s.particles} accepted in 1000 rounds")
    u_all = np.concatenate(acc_u)[: s.particles]
    return Generation(
        t=t,
        u=u_all,
        w=kernel_weights(u_all, prev, sd),
        d=np.concatenate(acc_d)[: s.particles],
        stats=np.concatenate(acc_x)[: s.particles],
        eps=eps,
        sims=sims,
        acceptance=accepted / sims,
    )


def run(
    simulate: Simulator,
    observed: np.ndarray,
    k: int,
    s: Settings,
    done: list[Generation] | None = None,
    scale: np.ndarray | None = None,
    on_generation: Callable[[Generation, np.ndarray], None] | None = None,
) -> tuple[list[Generation], np.ndarray]:
    """All generations; continues after ``done`` (with its ``scale``) when resuming. Stops after
    ``s.generations`` or once a generation's acceptance rate falls below ``s.min_acceptance``.
    ``on_generation(gen, scale)`` is called after each new generation (to save it)."""
    gens = list(done or [])
    if not gens:
        g0, scale = initial(simulate, observed, k, s)
        gens.append(g0)
        if on_generation:
            on_generation(g0, scale)
    assert scale is not None
    while len(gens) < s.generations and gens[-1].acceptance >= s.min_acceptance:
        g = next_generation(gens[-1], simulate, observed, scale, s)
        gens.append(g)
        if on_generation:
            on_generation(g, scale)
    return gens, scale


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float | np.ndarray) -> np.ndarray:
    """Quantile(s) ``q`` of ``x`` (n,) under weights ``w``."""
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    cw = (cw - 0.5 * w[order]) / cw[-1]
    return np.asarray(np.interp(q, cw, x[order]))
