"""Trainer 2: the lecture's adversarial dual of maximum likelihood (§16.2.3)::

    MLE = max_φ min_q  E_{P_d}[D_φ] − E_q[D_φ] − H(q),

because ``log Z(φ) = sup_q E_q[D_φ] + H(q)`` (Gibbs variational principle; the sup is attained at
``q = p_φ`` and the gap is ``KL(q‖p_φ)``).  The inner player is a normalising flow
(:mod:`fdiv.ebm.flows`) whose entropy is exact; each step takes ``q_steps`` Adam steps on
``−E_q[D] − H(q)`` with reparameterised samples, then one Adam step for φ on
``−(E_{P_d}[D] − E_q[D])`` with fresh samples of ``q``.
"""
from __future__ import annotations

from ..nn import Adam
from .losses import contrastive, sampler_loss
from .trainer import Trainer

__all__ = ["DualTrainer"]


class DualTrainer(Trainer):
    """EBM + flow sampler trained on the min–max dual.

    Parameters
    ----------
    energy, data, lr, batch_size, seed, total_steps, schedule, betas
        As in :class:`fdiv.ebm.trainer.Trainer`.
    flow : fdiv.ebm.Flow
        The sampler ``q_ψ``.
    lr_q : float
        Adam learning rate of the sampler (the same schedule applies).
    q_steps : int
        Sampler updates per φ update (the inner ``min_q``).
    n_q : int
        Samples of ``q`` per update.
    """

    method = "dual"

    def __init__(self, energy, data, flow, *, lr_q=1e-3, q_steps=1, n_q=256, **kw):
        super().__init__(energy, data, **kw)
        if flow.dim != energy.dim:
            raise ValueError(f"flow has dim {flow.dim} but the energy has dim {energy.dim}")
        if int(q_steps) < 1 or int(n_q) < 2:
            raise ValueError(f"q_steps={q_steps}, n_q={n_q}: need q_steps ≥ 1 and n_q ≥ 2")
        self.flow, self.lr_q = flow, float(lr_q)
        self.q_steps, self.n_q = int(q_steps), int(n_q)
        self.opt_q = Adam(flow.params, lr=lr_q, betas=self.opt.betas)

    def _step(self):
        self.opt_q.lr = self.lr_q * self._factor()
        for _ in range(self.q_steps):
            z = self.rng.standard_normal((self.n_q, self.energy.dim))
            loss_q, grads_q, _, _ = sampler_loss(self.energy, self.flow, z)
            self.opt_q.step(grads_q)
        x_q = self.flow.sample(self.n_q, self.rng)[0]
        x = self.batch()
        loss, grads = contrastive(self.energy, x, x_q)
        self.opt.step(grads)
        # V(φ, q) = E_d[D] − E_q[D] − H(q) ≈ −loss_phi_part … reported from the last q step
        return {"contrast": -loss, "sampler_loss": loss_q}

    def refine_sampler(self, steps, lr=None):
        """Solve the inner ``min_q`` at the current φ more precisely: ``steps`` sampler-only
        Adam steps (fresh optimiser state, constant ``lr``, default ``lr_q / 10``: after an
        annealed run a full-size step would first undo the sampler's fine convergence).  Afterwards the
        gap ``log Z − E_q[D] − H(q) = KL(q‖p_φ)`` measures how well the flow family can
        represent ``p_φ`` rather than how far the min–max iteration lagged."""
        opt = Adam(self.flow.params, lr=0.1 * self.lr_q if lr is None else lr,
                   betas=self.opt.betas)
        loss = float("nan")
        for _ in range(int(steps)):
            z = self.rng.standard_normal((self.n_q, self.energy.dim))
            loss, grads, _, _ = sampler_loss(self.energy, self.flow, z)
            opt.step(grads)
        return loss

    def _extra_state(self):
        return {"flow": [p.copy() for p in self.flow.params], "opt_q": self.opt_q.state_dict()}

    def _load_extra(self, state):
        for p, a in zip(self.flow.params, state["flow"]):
            p[...] = a
        self.opt_q.load_state_dict(state["opt_q"])
