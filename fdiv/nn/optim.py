"""First-order optimisers updating parameter arrays in place: :class:`SGD` and :class:`Adam`.

Both *descend*: ``step(grads)`` moves ``params`` along ``−grads``; an ascent step (the
discriminator's) passes the negated gradient.

References
----------
Kingma & Ba (2015), Adam: a method for stochastic optimization, ICLR, Algorithm 1.
Polyak (1964) for heavy-ball momentum (PyTorch's SGD form ``v ← μ v + g; θ ← θ − η v``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["SGD", "Adam"]


def _check(params, grads):
    if len(grads) != len(params):
        raise ValueError(f"grads has {len(grads)} arrays; the optimiser holds {len(params)} params")


class SGD:
    """SGD with heavy-ball momentum: ``v ← μ v + g``, ``θ ← θ − η v`` (plain descent when μ = 0).

    Parameters
    ----------
    params : sequence of numpy.ndarray
        The parameter arrays, updated in place.
    lr : float
        The learning rate η > 0.
    momentum : float
        μ in [0, 1).

    Raises
    ------
    ValueError
        ``lr ≤ 0`` or ``momentum`` outside [0, 1).

    References
    ----------
    Polyak (1964); the form is PyTorch's ``torch.optim.SGD``.
    """

    def __init__(self, params, lr=1e-2, momentum=0.0):
        if lr <= 0 or not 0 <= momentum < 1:
            raise ValueError(f"lr={lr}, momentum={momentum}: need lr > 0 and 0 ≤ momentum < 1")
        self.params = list(params)
        self.lr = float(lr)
        self.momentum = float(momentum)
        self.velocity = [np.zeros_like(p) for p in self.params] if momentum else None

    def step(self, grads):
        """One descent step ``θ ← θ − η v`` (``v = g`` without momentum), in place.

        Parameters
        ----------
        grads : sequence of numpy.ndarray
            One gradient per parameter array, same shapes (negate it for an ascent step).

        Raises
        ------
        ValueError
            ``grads`` and ``params`` differ in length.
        """
        _check(self.params, grads)
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.velocity is not None:
                v = self.velocity[i]
                v *= self.momentum
                v += g
                g = v
            p -= p.dtype.type(self.lr) * g

    def state_dict(self) -> dict:
        """A copy of the state: ``lr``, ``momentum``, ``velocity`` (None without momentum)."""
        return {"lr": self.lr, "momentum": self.momentum,
                "velocity": None if self.velocity is None else [v.copy() for v in self.velocity]}

    def load_state_dict(self, state):
        """Restore the state returned by :meth:`state_dict` (resuming continues bit-identically).

        Parameters
        ----------
        state : dict
            As returned by :meth:`state_dict`.
        """
        self.lr = float(state["lr"])
        self.momentum = float(state["momentum"])
        vel = state["velocity"]
        self.velocity = None if vel is None else [np.array(v, dtype=p.dtype)
                                                  for v, p in zip(vel, self.params)]


class Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1)::

        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
        θ ← θ − η · m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ).

    Parameters
    ----------
    params : sequence of numpy.ndarray
        The parameter arrays, updated in place.
    lr : float
        The learning rate η > 0.
    betas : (float, float)
        (β₁, β₂), each in [0, 1).
    eps : float
        ε > 0, added to √v̂.

    Raises
    ------
    ValueError
        A learning rate, β or ε out of range.

    References
    ----------
    Kingma & Ba (2015), Adam: a method for stochastic optimization, ICLR, Algorithm 1.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        b1, b2 = betas
        if lr <= 0 or not (0 <= b1 < 1 and 0 <= b2 < 1) or eps <= 0:
            raise ValueError(f"lr={lr}, betas={betas}, eps={eps}: need lr > 0, 0 ≤ β < 1, eps > 0")
        self.params = list(params)
        self.lr = float(lr)
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)
        self.t = 0
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self._buf = [np.empty_like(p) for p in self.params]

    def step(self, grads):
        """One Adam descent step, in place (the update of the class docstring, with t ← t + 1).

        Computed as ``θ ← θ − (η √c₂ / c₁) · m / (√v + ε √c₂)`` with ``c_i = 1 − β_iᵗ``, the
        same update with the bias corrections folded into the step.  ``grads`` and the errors
        are as for :meth:`SGD.step`.
        """
        _check(self.params, grads)
        self.t += 1
        b1, b2 = self.betas
        c1 = 1.0 - b1 ** self.t
        c2 = 1.0 - b2 ** self.t
        step = self.lr * np.sqrt(c2) / c1
        eps_hat = self.eps * np.sqrt(c2)   # ε added to √v̂ ⇔ ε·√c₂ added to √v
        for p, g, m, v, buf in zip(self.params, grads, self.m, self.v, self._buf):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            np.multiply(g, g, out=buf)
            buf *= (1.0 - b2)
            v += buf
            np.sqrt(v, out=buf)
            buf += eps_hat
            np.divide(m, buf, out=buf)
            buf *= step
            p -= buf

    def state_dict(self) -> dict:
        """A copy of the state: ``lr``, ``betas``, ``eps``, the step count ``t``, moments ``m``, ``v``."""
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps, "t": self.t,
                "m": [a.copy() for a in self.m], "v": [a.copy() for a in self.v]}

    def load_state_dict(self, state):
        """Restore the state returned by :meth:`state_dict` (resuming continues bit-identically).

        Parameters
        ----------
        state : dict
            As returned by :meth:`state_dict`; the moments are copied into the existing arrays.
        """
        self.lr = float(state["lr"])
        self.betas = tuple(float(b) for b in state["betas"])
        self.eps = float(state["eps"])
        self.t = int(state["t"])
        for dst, src in zip(self.m + self.v, list(state["m"]) + list(state["v"])):
            dst[...] = src
