"""GAN and f-GAN objectives on critic outputs, with their gradients.

The discriminator (critic) network outputs an unconstrained ``v``.  Every objective gives

* ``discriminator(v_p, v_q) -> (value, dvalue/dv_p, dvalue/dv_q)``: the Monte Carlo estimate of
  the value the discriminator **maximises** and its gradient per sample (means already taken);
* ``generator(v_q) -> (loss, dloss/dv_q)``: the loss the generator **minimises**, through
  ``v_q = V(g_θ(ε))``;
* ``transform(v)``: what the critic represents (``D = σ(v)`` or ``T = g_f(v)``) and
  ``optimal(logp, logq)``: its optimum (``D* = p/(p+q)`` or ``T* = f′(p/q)``).

:class:`JSGAN` — the lecture's minimax objective (§16.2.1; Goodfellow et al. 2014)::

    L(θ, φ) = E_P[log D(x)] + E_Q[log(1 − D(x))],   D = σ(v),
    log D = −softplus(−v),   log(1 − D) = −softplus(v)           (never log(sigmoid(v)))

maximised by ``D* = p/(p + q)`` with value ``2·JS(P‖Q) − log 4``.  Generator losses:
``'minimax'`` minimises ``E_Q[log(1 − D)] = −E_Q[softplus(v)]`` (saturates when D rejects the
samples); ``'nonsaturating'`` minimises ``−E_Q[log D] = E_Q[softplus(−v)]`` (Goodfellow et al.
2014, §3).

:class:`FGAN` — variational divergence minimisation (Nowozin, Cseke & Tomioka 2016; lecture
§16.2.2) for any registry member::

    F(θ, φ) = E_P[g_f(v)] − E_Q[f*(g_f(v))]  ≤  D_f(P‖Q),   equality at g_f(v) = f′(p/q),

with ``f*(g_f(v))`` the member's ``conjugate_activation`` (composed stably) and the derivatives
from :mod:`fdiv.gan.derivatives`.  Generator: ``'minimax'`` minimises ``−E_Q[f*(g_f(v))]``;
``'nonsaturating'`` maximises ``E_Q[g_f(v)]`` (Nowozin et al. 2016, §3.2).  With the ``gan``
member FGAN reproduces JSGAN exactly.

Convention: P is the data, Q the model (generator), ``D_f(P‖Q) = E_Q[f(p/q)]``.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit

from .._registry import resolve
from .derivatives import activation_derivatives

__all__ = ["JSGAN", "FGAN", "make_objective", "GENERATOR_LOSSES"]

GENERATOR_LOSSES = ("minimax", "nonsaturating")


def _softplus(v):
    return np.logaddexp(0.0, v)


def _check_loss(generator_loss):
    if generator_loss not in GENERATOR_LOSSES:
        raise ValueError(f"generator_loss={generator_loss!r}: choose 'minimax' or 'nonsaturating'")
    return generator_loss


def _f64(v):
    return np.asarray(v, dtype=np.float64)


class JSGAN:
    """The lecture's minimax JS-GAN on discriminator logits (see module docstring).

    Parameters
    ----------
    generator_loss : {'nonsaturating', 'minimax'}
        The generator's loss.
    """

    name = "gan"
    kind = "discriminator"

    def __init__(self, generator_loss="nonsaturating"):
        self.generator_loss = _check_loss(generator_loss)
        self.divergence = resolve("gan")   # D_gan = 2·JS − log 4: the optimal value

    def discriminator(self, v_p, v_q):
        """``(L, ∂L/∂v_p, ∂L/∂v_q)``, ``L = −mean softplus(−v_p) − mean softplus(v_q)``.

        Parameters
        ----------
        v_p, v_q : array_like
            Logits on data samples and on generator samples.

        Returns
        -------
        (float, numpy.ndarray, numpy.ndarray)
            The value to maximise and its gradients (``σ(−v_p)/n_p`` and ``−σ(v_q)/n_q``).
        """
        v_p, v_q = _f64(v_p), _f64(v_q)
        value = -np.mean(_softplus(-v_p)) - np.mean(_softplus(v_q))
        return float(value), expit(-v_p) / v_p.shape[0], -expit(v_q) / v_q.shape[0]

    def generator(self, v_q):
        """``(loss, ∂loss/∂v_q)``: ``−mean softplus(v_q)`` (minimax) or ``mean softplus(−v_q)``.

        Parameters
        ----------
        v_q : array_like
            Logits on generator samples.

        Returns
        -------
        (float, numpy.ndarray)
            The loss to minimise and its gradient.
        """
        v_q = _f64(v_q)
        n = v_q.shape[0]
        if self.generator_loss == "minimax":
            return float(-np.mean(_softplus(v_q))), -expit(v_q) / n
        return float(np.mean(_softplus(-v_q))), -expit(-v_q) / n

    def transform(self, v):
        """``D = σ(v)``."""
        return expit(_f64(v))

    def optimal(self, logp, logq):
        """``D* = σ(log p − log q)``."""
        return expit(_f64(logp) - _f64(logq))

    def __repr__(self):
        return f"JSGAN(generator_loss={self.generator_loss!r})"


class FGAN:
    """f-GAN objective for a registry member (see module docstring).

    Parameters
    ----------
    divergence : str or FDivergence
        The registry member.
    generator_loss : {'minimax', 'nonsaturating'}
        The generator's loss.
    """

    kind = "critic"

    def __init__(self, divergence, generator_loss="minimax"):
        self.divergence = resolve(divergence)
        self.name = self.divergence.name
        self.generator_loss = _check_loss(generator_loss)
        self.derivatives = activation_derivatives(self.divergence)

    def discriminator(self, v_p, v_q):
        """``(F, ∂F/∂v_p, ∂F/∂v_q)``, ``F = mean g_f(v_p) − mean f*(g_f(v_q))``.

        Parameters
        ----------
        v_p, v_q : array_like
            Raw critic outputs on data samples and on generator samples.

        Returns
        -------
        (float, numpy.ndarray, numpy.ndarray)
            The value to maximise (a lower bound on ``D_f(P‖Q)`` in expectation) and its
            gradients ``g_f′(v_p)/n_p`` and ``−(f*∘g_f)′(v_q)/n_q``.
        """
        v_p, v_q = _f64(v_p), _f64(v_q)
        d = self.divergence
        with np.errstate(over="ignore"):
            value = np.mean(d.activation(v_p)) - np.mean(d.conjugate_activation(v_q))
        return (float(value), self.derivatives.activation_prime(v_p) / v_p.shape[0],
                -self.derivatives.conjugate_activation_prime(v_q) / v_q.shape[0])

    def generator(self, v_q):
        """``(loss, ∂loss/∂v_q)``: ``−mean f*(g_f(v_q))`` (minimax) or ``−mean g_f(v_q)``.

        Parameters
        ----------
        v_q : array_like
            Raw critic outputs on generator samples.

        Returns
        -------
        (float, numpy.ndarray)
            The loss to minimise and its gradient.
        """
        v_q = _f64(v_q)
        n = v_q.shape[0]
        d = self.divergence
        with np.errstate(over="ignore"):
            if self.generator_loss == "minimax":
                return (float(-np.mean(d.conjugate_activation(v_q))),
                        -self.derivatives.conjugate_activation_prime(v_q) / n)
            return float(-np.mean(d.activation(v_q))), -self.derivatives.activation_prime(v_q) / n

    def transform(self, v):
        """``T = g_f(v)``."""
        return self.divergence.activation(_f64(v))

    def optimal(self, logp, logq):
        """``T* = f′(p/q)`` from log densities."""
        return self.divergence.optimal_critic(logp, logq)

    def __repr__(self):
        return f"FGAN({self.divergence!r}, generator_loss={self.generator_loss!r})"


def make_objective(divergence="gan", generator_loss=None, **params):
    """``JSGAN`` for ``'gan'`` (the lecture's minimax game), else ``FGAN(fdiv.get(divergence))``.

    ``generator_loss`` defaults to ``'nonsaturating'`` for JSGAN and ``'minimax'`` for f-GAN.

    Parameters
    ----------
    divergence : str or FDivergence
        ``'gan'`` (without ``params``) or a registry member.
    generator_loss : {'minimax', 'nonsaturating'}, optional
        The generator's loss (default above).
    **params
        Member parameters, e.g. ``a=0.5`` for ``'alpha'``.

    Returns
    -------
    JSGAN or FGAN
    """
    if divergence == "gan" and not params:
        return JSGAN(generator_loss or "nonsaturating")
    from .._registry import get

    div = get(divergence, **params) if isinstance(divergence, str) else resolve(divergence)
    return FGAN(div, generator_loss or "minimax")
