"""The catalogue: one module per member; importing a module registers it.

To add a divergence, write one short module here (its generator f as scalar kernels of the
centred generator, f′, the conjugate, the activation, references and conventions) and add its
name to ``_MEMBERS``: the registry, the conjugate checks, the proofs, the tests, the vectors and
the CLI listing pick it up from there.  Optionally, a ``phi_block`` (the same factor for a
block of ``r`` values, branch-free over :mod:`fdiv._vmath`) lets the batch engine evaluate the
member as SIMD loops; :mod:`.kl`, :mod:`.reverse_kl` and :mod:`.jeffreys` have one, and
``tests/test_generators.py`` checks every one against the mpmath references.

Shared scalar helpers live in :mod:`._special` (``expm1mx``, ``logcosh``, ``softplus``,
``centred_f_log``, and the branch-free ``kl_factors``); :mod:`.js`, :mod:`.gan` reuse :func:`.weighted_js.wjs_phi` and :mod:`.t_power`
reuses :func:`.alpha.alpha_phi`.  numba's on-disk cache is keyed by the file that defines a kernel,
not by the files of the njit functions it calls: after editing a shared helper, delete
``fdiv/divergences/__pycache__/*.nbi``/``*.nbc`` (or touch the calling modules).
"""
from importlib import import_module

_MEMBERS = (
    "kl",
    "reverse_kl",
    "pearson",
    "neyman",
    "squared_hellinger",
    "jeffreys",
    "weighted_js",
    "js",
    "gan",
    "tv",
    "triangular",
    "alpha",
    "t_power",
    "log1p_abs",
    "modified_gan",
    "arithmetic_geometric",
)

for _m in _MEMBERS:
    import_module(f"{__name__}.{_m}")
