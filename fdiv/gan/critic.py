"""Critic-only training against fixed, known P and Q: the trainer as a witness of the math.

With P and Q fixed the discriminator's problem is a convex functional one, solved pointwise
(lecture §16.2.1 step 1, §16.2.2): the JS-GAN discriminator tends to ``D* = p/(p + q)`` with value
``2·JS(P‖Q) − log 4``, an f-GAN critic to ``T* = f′(p/q)`` with value ``D_f(P‖Q)``.
:func:`train_critic` fits an MLP critic by the lecture's ascent steps on fresh minibatches from P
and Q (Adam, learning rate decayed by a cosine schedule so the iterates settle on the population
optimum), and :func:`evaluate_critic` measures

* the largest ``|D − D*|`` (or ``|T − T*|``) on a grid over the central 98 % of the mass of
  ½(P + Q) (quantiles 0.01 and 0.99 of the mixture),
* the achieved bound ``E_P[T] − E_Q[f*(T)]`` of the *learned* critic computed exactly
  (:func:`fdiv.bounds.bound`, quadrature, not Monte Carlo), and
* the reference ``D_f(P‖Q)`` from :func:`fdiv.divergence`.

Inputs are standardised by the mean and standard deviation of ½(P + Q) (estimated from a
seeded sample) before the network; this is part of the critic ``V(x) = net((x − m)/s)``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..distributions import logpdf as _logpdf
from ..nn import MLP, Adam, as_generator, blas_threads
from .objectives import make_objective

__all__ = ["Critic", "train_critic", "evaluate_critic", "central_window"]


def _rvs(dist, n, rng):
    x = dist.rvs(size=n, random_state=rng)
    return np.asarray(x, dtype=np.float64).reshape(n, 1)


@dataclass
class Critic:
    """A trained critic: ``raw(x) = V(x)`` (1-D float array in, 1-D out) and its objective.

    ``V(x) = net((x − shift)/scale)``: the network sees standardised inputs.

    Parameters
    ----------
    net : MLP
        The network, 1 input and 1 output.
    shift, scale : float
        The standardisation (mean and standard deviation of ½(P + Q)).
    objective : JSGAN or FGAN
        The objective it was trained for (:func:`fdiv.gan.objectives.make_objective`).
    """

    net: MLP
    shift: float
    scale: float
    objective: object

    def raw(self, x):
        """The raw output ``V(x)`` (a logit for JS-GAN), float64 of the shape of ``x``."""
        x = np.asarray(x, dtype=np.float64)
        flat = (x.reshape(-1, 1) - self.shift) / self.scale
        return np.asarray(self.net(flat)[:, 0], dtype=np.float64).reshape(x.shape)

    def transformed(self, x):
        """``D(x) = σ(V)`` for JS-GAN, ``T(x) = g_f(V)`` for f-GAN."""
        return self.objective.transform(self.raw(x))


def train_critic(p, q, divergence="gan", *, steps=3000, batch_size=1024, widths=(64, 64),
                 activation="tanh", lr=3e-3, seed=0, dtype=np.float64, callback=None, threads=1):
    """Fit a critic for ``divergence`` between fixed 1-D P and Q (``rvs``-capable objects).

    ``divergence='gan'`` is the lecture's JS-GAN discriminator; any other registry name is the
    f-GAN critic of that member.  ``threads``: BLAS threads during training (see
    :class:`fdiv.nn.blas_threads`; None leaves the setting alone).  Returns a :class:`Critic`.

    Each step draws fresh minibatches of ``batch_size`` from P and from Q and takes one Adam
    ascent step on the objective's value; the learning rate follows a cosine decay from ``lr``
    to ``lr/100``.

    Parameters
    ----------
    p, q : distribution
        Fixed 1-D distributions with ``rvs(size, random_state)``.
    divergence : str or FDivergence
        ``'gan'`` or a registry member.
    steps : int
        Ascent steps (≥ 1).
    batch_size : int
        Samples from each of P and Q per step (≥ 2).
    widths : tuple of int
        Hidden layer widths of the MLP.
    activation : str
        Hidden activation (:data:`fdiv.nn.ACTIVATIONS`).
    lr : float
        Initial Adam learning rate.
    seed : int or numpy.random.Generator
        Same seed → same bits.
    dtype : numpy dtype
        The network's floating type.
    callback : callable, optional
        ``callback(step, value)`` after every step.
    threads : int or None
        BLAS threads.

    Returns
    -------
    Critic

    Raises
    ------
    ValueError
        ``steps < 1`` or ``batch_size < 2``.
    FloatingPointError
        The objective's value stopped being finite (lower ``lr``).
    """
    with blas_threads(threads):
        return _train_critic(p, q, divergence, steps, batch_size, widths, activation, lr, seed,
                             dtype, callback)


def _train_critic(p, q, divergence, steps, batch_size, widths, activation, lr, seed, dtype,
                  callback):
    if steps < 1 or batch_size < 2:
        raise ValueError(f"steps={steps}, batch_size={batch_size}: need steps ≥ 1, batch_size ≥ 2")
    obj = make_objective(divergence)
    rng = as_generator(seed)
    probe = np.concatenate([_rvs(p, 20000, rng), _rvs(q, 20000, rng)])[:, 0]
    shift, scale = float(np.mean(probe)), float(np.std(probe)) or 1.0
    net = MLP([1, *widths, 1], activation=activation, seed=rng, dtype=dtype)
    opt = Adam(net.params, lr=lr)
    for i in range(steps):
        opt.lr = lr * (0.01 + 0.99 * 0.5 * (1.0 + math.cos(math.pi * i / steps)))
        x = np.concatenate([_rvs(p, batch_size, rng), _rvs(q, batch_size, rng)])
        v, cache = net.forward((x - shift) / scale)
        value, g_p, g_q = obj.discriminator(v[:batch_size, 0], v[batch_size:, 0])
        if not math.isfinite(value):
            raise FloatingPointError(f"critic training diverged at step {i}: value {value}; "
                                     "lower lr")
        grads, _ = net.backward(cache, -np.concatenate([g_p, g_q])[:, None], input_grad=False)
        opt.step(grads)
        if callback is not None:
            callback(i, value)
    return Critic(net, shift, scale, obj)


def _mixture_cdf(p, q):
    def cdf(x):
        return 0.5 * (float(p.cdf(x)) + float(q.cdf(x)))
    return cdf


def central_window(p, q, mass=0.98, seed=0):
    """``(lo, hi)``: the central ``mass`` of ½(P + Q) (exact quantiles via ``cdf`` when available).

    Parameters
    ----------
    p, q : distribution
        1-D distributions with ``cdf`` (quantiles by root finding, ``xtol`` 1e-12) or else
        ``rvs`` (empirical quantiles of 200 000 samples from each).
    mass : float
        The probability between ``lo`` and ``hi``; each tail holds ``(1 − mass)/2``.
    seed : int or numpy.random.Generator
        Used only without ``cdf``.

    Returns
    -------
    (float, float)
    """
    tail = 0.5 * (1.0 - mass)
    if hasattr(p, "cdf") and hasattr(q, "cdf"):
        cdf = _mixture_cdf(p, q)
        a, b = -1.0, 1.0
        while cdf(a) > tail:
            a *= 2
        while cdf(b) < 1 - tail:
            b *= 2
        return (brentq(lambda x: cdf(x) - tail, a, b, xtol=1e-12),
                brentq(lambda x: cdf(x) - (1 - tail), a, b, xtol=1e-12))
    rng = as_generator(seed)
    x = np.concatenate([_rvs(p, 200_000, rng), _rvs(q, 200_000, rng)])[:, 0]
    return tuple(float(v) for v in np.quantile(x, [tail, 1 - tail]))


def evaluate_critic(critic, p, q, *, mass=0.98, n_grid=2001, rtol=1e-8):
    """Compare a trained critic with the optimum and the divergence (see module docstring).

    Parameters
    ----------
    critic : Critic
        From :func:`train_critic`.
    p, q : distribution
        The distributions it was trained on (with ``logpdf``).
    mass : float
        The central window of ½(P + Q) on which errors are measured (:func:`central_window`).
    n_grid : int
        Evenly spaced points of the window.
    rtol : float
        Relative tolerance of the quadratures (bound and ``D_f``).

    Returns
    -------
    dict: ``divergence``, ``kind`` ('discriminator' | 'critic'), ``window``, ``max_abs_error``
    (of D or T on the window), ``max_rel_error`` (``|T − T*| / max(1, |T*|)``), ``bound``
    (achieved, exact), ``reference`` (``D_f``; ``2·JS − log 4`` for JS-GAN), ``gap``.
    """
    from ..bounds import bound
    from ..engine import divergence as _divergence

    obj = critic.objective
    lo, hi = central_window(p, q, mass)
    x = np.linspace(lo, hi, n_grid)
    got = critic.transformed(x)
    want = obj.optimal(_logpdf(p, x), _logpdf(q, x))
    err = np.abs(got - want)
    achieved = float(bound(obj.divergence, critic.raw, p, q, raw=True, rtol=rtol))
    ref = float(_divergence(obj.divergence, p, q, rtol=rtol))
    return {
        "divergence": obj.name, "kind": obj.kind, "window": [float(lo), float(hi)],
        "max_abs_error": float(err.max()),
        "max_rel_error": float(np.max(err / np.maximum(1.0, np.abs(want)))),
        "bound": achieved, "reference": ref, "gap": ref - achieved,
    }
