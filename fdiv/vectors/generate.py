"""Generate the reference test vectors: ``python -m fdiv.vectors.generate [--out DIR] [--only Q …]``.

Every expected value is computed by :mod:`fdiv.vectors.reference` (mpmath, ≥ 60 working digits,
checked at twice that, 40 significant digits written) from each registry member's ``formula``
(and ``activation_form``) — never from fdiv's numeric code.  Continuous pairs reuse the teammate
generator ``tests/references/generate_continuous.py`` when the repository has it (its cases,
its analytic decisions of infinite values, its two-precision confirmation).

Output: one JSON file per quantity (``fdiv/data/vectors/<quantity>.json``), Wycheproof style::

    {"schema": "fdiv-vectors/1", "quantity": "f", "version": "1", "generator": ..., "mpmath": ...,
     "dps": ..., "signature": ..., "conventions": ..., "notes": {flag: text},
     "numberOfTests": n, "testGroups": [{"divergence": ..., "params": ..., "formula": ...,
                                         "tests": [{"tcId", "comment", "flags", "inputs",
                                                    "expected", "expected_by_input"?, "rtol",
                                                    "atol"}]}]}

Floats in ``inputs`` are JSON numbers (shortest round-trip repr) or the strings ``"inf"``,
``"-inf"``, ``"nan"``; ``expected`` is always a decimal string (or ``"inf"``, ``"-inf"``,
``"nan"``).  ``expected_by_input`` holds the value for another input form when it differs (the
logarithm of a float is rounded, so ``f(e^{logu})`` is not exactly ``f(u)``).  A value beyond the
float64 range is written exactly and flagged ``float64_overflow``: it compares equal to ``inf``.
Regenerating gives byte-identical files (no timestamps).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path

import mpmath as mp
import sympy as sp

from .._encoding import encode_float
from . import reference as R

SCHEMA = "fdiv-vectors/1"
VERSION = "1"
DIGITS = 40
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "vectors"
F64_MAX = mp.mpf(sys.float_info.max)
F32_EXP_LIMIT = 88.72283935546875  # exp(v) overflows float32 beyond this

NOTES = {
    "zeros_in_p": "p_i = 0 < q_i: Csiszár's convention adds q_i·f(0+) (inf when f(0+) = inf). "
                  "Dropping it is dit's TV bug (0.25 instead of 0.5 for halved TV).",
    "zeros_in_q": "q_i = 0 < p_i: adds p_i·f′(∞), f′(∞) = lim f(u)/u (inf for KL; finite for "
                  "bounded divergences). `np.where(q > 0, …)` silently drops it.",
    "disjoint_support": "p·q = 0 everywhere: D = f(0+)·1 + f′(∞)·1, the maximum of a bounded "
                        "divergence (tv 2, js log 2, squared_hellinger 2, triangular 2).",
    "common_zero": "p_i = q_i = 0: contributes 0 (0·f(0/0) = 0), never NaN.",
    "equal": "P = Q: D = f(1) (0, except gan: −log 4).",
    "near_equal": "P ≈ Q: D is O(|p − q|²); naive sums cancel, so the tolerance is looser.",
    "tiny_probabilities": "entries near 1e-300: p/q overflows or underflows in density space; "
                          "work with log p − log q.",
    "subnormal": "a subnormal input (below 2.2e-308): few significant bits, p/q overflows.",
    "extreme_ratio": "p/q beyond 1e300: evaluate f in log space (f_log).",
    "large_logu": "|log u| ≈ 700: e^{logu} is at the float64 edge; TFP's JS loses all digits at 37.",
    "u_zero": "u = 0 (log u = −inf): the value is the limit f(0+) (or f′(0+)).",
    "near_one": "u = 1 + 2^-26: f(u) = O((u − 1)²) and naive forms cancel catastrophically.",
    "at_one": "u = 1: f(1) and f′(1) (0, 1 … ; −log 4 and −log 2 for gan).",
    "alpha_near_0": "α family with a near 0: (u^a − 1 − a(u − 1))/(a(a − 1)) cancels; the limit "
                    "a → 0 is reverse_kl.",
    "alpha_near_1": "α family with a near 1: the limit a → 1 is kl; naive evaluation cancels.",
    "outside_domain": "t outside dom f*: f*(t) = +inf (the sup over u ≥ 0 is unbounded), never "
                      "NaN or a finite number.",
    "domain_boundary": "t at the finite end of dom f* (t = f′(∞)): the supremum is approached "
                       "as u → ∞ and may be finite (tv, neyman) or +inf.",
    "below_fprime_zero": "t < f′(0+): over u ≥ 0 the supremum sits at u = 0, f*(t) = −f(0+). The "
                         "f-GAN table extends f to u < 0 and differs here (pearson t²/4 + t "
                         "instead of −1 for t < −2).",
    "large_logit": "|v| ≥ 40: σ(v) rounds to 1 (or 0) and log(σ), log(1 − σ) become −inf/NaN; "
                   "use log-sigmoid / softplus.",
    "float32_overflow": "|v| > 88.72: exp(v) overflows float32 (and exp(|v|) > 709.78 overflows "
                        "float64); compose f*(g_f(v)) in closed form (softplus, expm1).",
    "float64_overflow": "the exact value exceeds the float64 range: the correctly rounded "
                        "float64 result is ±inf.",
    "underflow": "the exact value is below the smallest normal float64.",
    "equal_densities": "p = q: D* = 1/2 exactly.",
    "zero_density": "p = 0 or q = 0 (log density −inf): D* is exactly 0 or 1, never NaN.",
    "subnormal_density": "densities below 1e-308: p/(p + q) in density space loses precision; "
                         "σ(log p − log q) does not.",
    "heavy_tail": "polynomial tails (t, cauchy): slow decay; tail exponents decide finiteness.",
    "infinite": "the exact value is +inf.",
}

ALPHA_PARAMS = [({"a": 0.5}, ()), ({"a": 2.0}, ()), ({"a": -1.0}, ()),
                ({"a": 1e-6}, ("alpha_near_0",)), ({"a": 1 - 1e-6}, ("alpha_near_1",))]
EXTRA_PARAMS = {"t_power": [({"power": 0.5}, ())], "weighted_js": [({"pi": 0.25}, ())]}

# ----------------------------------------------------------------------------- encoding
def enc_value(x) -> str:
    return R.fmt(x, DIGITS)


def members():
    """``(name, params, flags, member)`` for every registry member (alpha at several a)."""
    import fdiv

    out = []
    for name in fdiv.names():
        default = fdiv.get(name)
        plist = [(dict(default.params), ())]
        if name == "alpha":
            plist = ALPHA_PARAMS
        plist = plist + EXTRA_PARAMS.get(name, [])
        for params, flags in plist:
            try:
                m = fdiv.get(name, **params)
            except (ValueError, TypeError):
                continue
            out.append((name, dict(m.params), tuple(flags), m))
    return out


def gen_of(member):
    return R.generator(member.formula, dict(member.params), member.activation_form or None)


def _val(fn, *args):
    """High-precision value with overflow/underflow flags."""
    v = R.precise(fn, *args)
    flags = []
    if mp.isfinite(v) and v != 0:
        if abs(v) > F64_MAX:
            flags.append("float64_overflow")
        elif abs(v) < mp.mpf(2) ** -1022:
            flags.append("underflow")
    if mp.isinf(v) and v > 0:
        flags.append("infinite")
    return v, flags


def _case(tc, inputs, expected, *, flags=(), comment="", rtol=1e-12, atol=0.0, by_input=None):
    case = {"tcId": tc, "comment": comment, "flags": sorted(set(flags)), "inputs": inputs,
            "expected": enc_value(expected), "rtol": rtol, "atol": atol}
    if by_input:
        case["expected_by_input"] = {k: enc_value(v) for k, v in by_input.items()}
    return case


def _differs(a, b):
    return not R._agree(a, b, 30)


def _group(name, params, member, tests, **extra):
    g = {"divergence": name, "params": params, "formula": member.formula}
    g.update(extra)
    g["tests"] = tests
    return g


# ----------------------------------------------------------------------------- generator f, f′
U_POINTS = [
    (0.0, ("u_zero",), "u = 0"),
    (1e-300, ("tiny_probabilities", "extreme_ratio"), "tiny u"),
    (0.25, (), ""), (0.5, (), ""),
    (1.0, ("at_one",), "u = 1"),
    (1.0 + 2.0 ** -26, ("near_one",), "u = 1 + 2^-26"),
    (2.0, (), ""), (10.0, (), ""), (1e8, (), ""),
    (math.exp(-700.0), ("large_logu",), "u = e^-700"),
    (math.exp(700.0), ("large_logu",), "u = e^700"),
]


def cases_generator(kind, name, params, flags0, member):
    gen = gen_of(member)
    tests = []
    fn_u = gen.f if kind == "f" else gen.f_prime
    fn_r = gen.f_log if kind == "f" else gen.f_prime_log
    for u, flags, comment in U_POINTS:
        if kind == "f_prime" and u == 1.0 and not gen.smooth_at_one:
            continue  # f′(1) undefined at a kink
        logu = float(mp.log(u)) if u > 0 else -math.inf
        v, vf = _val(fn_u, u)
        vr, _ = _val(fn_r, logu)
        by = {"logu": vr} if _differs(v, vr) else None
        atol = 1e-15 if v == 0 else 0.0
        rtol = 1e-12
        if "near_one" in flags:
            rtol = 1e-9
        if set(flags0) & {"alpha_near_0", "alpha_near_1"}:
            rtol = 1e-8
        tests.append(_case(len(tests) + 1, {"u": encode_float(u), "logu": encode_float(logu)}, v,
                           flags=list(flags) + vf + list(flags0), comment=comment, rtol=rtol,
                           atol=atol, by_input=by))
    return tests


# ----------------------------------------------------------------------------- conjugate
def _t_points(gen):
    pts = [-10.0, -3.0, -1.0, -0.5, 0.0, 0.25, 0.5, 0.9, 1.0, 2.0, 10.0, 700.0, 710.0]
    for b in (gen.fp_zero, gen.fp_inf):
        b = R._num(b)
        if mp.isfinite(b):
            bf = float(b)
            pts += [bf, math.nextafter(bf, -math.inf), math.nextafter(bf, math.inf),
                    bf - 0.5, bf + 0.5]
    return sorted(set(pts))


def cases_conjugate(name, params, flags0, member):
    gen = gen_of(member)
    fp0, fpinf = R._num(gen.fp_zero), R._num(gen.fp_inf)
    ext = R.extends_to_reals(gen)
    tests = []
    for t in _t_points(gen):
        v, vf = _val(lambda t: R.conjugate(gen, t), t)
        flags = list(vf) + list(flags0)
        if mp.mpf(t) > fpinf:
            flags.append("outside_domain")
        if mp.isfinite(fpinf) and float(fpinf) == t:
            flags.append("domain_boundary")
        if mp.mpf(t) < fp0:
            flags.append("below_fprime_zero")
        comment = ""
        if ext and "below_fprime_zero" in flags:
            w = R.precise(lambda t: R.conjugate_over_reals(gen, t), t)
            comment = f"f-GAN table (f extended to u < 0) gives {R.fmt(w, 17)}"
        rtol = 1e-8 if set(flags0) & {"alpha_near_0", "alpha_near_1"} else 1e-11
        tests.append(_case(len(tests) + 1, {"t": encode_float(t)}, v, flags=flags, comment=comment,
                           rtol=rtol, atol=1e-15 if v == 0 else 0.0))
    return tests


# ----------------------------------------------------------------------------- activation
V_POINTS = [-800.0, -100.0, -40.0, -1.0, -0.25, 0.0, 0.5, 1.0, 3.0, 40.0, 100.0, 800.0]


def _v_flags(v):
    out = []
    if abs(v) >= 40:
        out.append("large_logit")
    if abs(v) > F32_EXP_LIMIT:
        out.append("float32_overflow")
    return out


def cases_activation(name, params, flags0, member, composed=False):
    gen = gen_of(member)
    tests = []
    for v in V_POINTS:
        if composed:
            if abs(v) > 100 and set(flags0) & {"alpha_near_0", "alpha_near_1"}:
                continue  # 1000+-digit bisections: not worth the minutes
            val, vf = _val(lambda v: R.conjugate(gen, gen.activation(v)), v)
        else:
            val, vf = _val(gen.activation, v)
        rtol = 1e-8 if set(flags0) & {"alpha_near_0", "alpha_near_1"} else 1e-11
        tests.append(_case(len(tests) + 1, {"v": encode_float(v)}, val,
                           flags=_v_flags(v) + vf + list(flags0), rtol=rtol,
                           atol=1e-15 if val == 0 else 0.0))
    return tests


# ----------------------------------------------------------------------------- discrete D_f
DISCRETE_PAIRS = [
    ([0.2, 0.5, 0.3], [0.1, 0.3, 0.6], (), "generic"),
    ([0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1], (), "uniform vs skewed"),
    ([0.3, 0.7], [0.3, 0.7], ("equal",), "P = Q"),
    ([0.5, 0.5, 0.0], [0.25, 0.25, 0.5], ("zeros_in_p",), "p = 0 < q at one point"),
    ([1.0, 0.0], [0.5, 0.5], ("zeros_in_p",), "dit's TV example"),
    ([0.25, 0.25, 0.5], [0.5, 0.5, 0.0], ("zeros_in_q",), "q = 0 < p at one point"),
    ([0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5], ("disjoint_support", "zeros_in_p", "zeros_in_q"),
     "disjoint supports"),
    ([0.6, 0.0, 0.4], [0.3, 0.0, 0.7], ("common_zero",), "p = q = 0 at one point"),
    ([0.5, 0.5], [0.5 + 1e-7, 0.5 - 1e-7], ("near_equal",), "P ≈ Q"),
    ([1e-300, 1.0], [1.0, 1e-300], ("tiny_probabilities", "extreme_ratio"), "ratios 1e±300"),
    ([0.5, 0.5], [5e-324, 1.0], ("subnormal", "extreme_ratio"), "q_1 the smallest subnormal"),
]


def cases_discrete(name, params, flags0, member):
    gen = gen_of(member)
    tests = []
    for p, q, flags, comment in DISCRETE_PAIRS:
        v, vf = _val(lambda p, q: R.divergence_discrete(gen, p, q), p, q)
        lp = [float(mp.log(x)) if x > 0 else -math.inf for x in p]
        lq = [float(mp.log(x)) if x > 0 else -math.inf for x in q]
        # with input 'logprobs' the function sees exp(float(log p)), not p
        vr, _ = _val(lambda a, b: R.divergence_discrete(gen, [mp.exp(mp.mpf(x)) for x in a],
                                                        [mp.exp(mp.mpf(x)) for x in b]), lp, lq)
        by = {"logprobs": vr} if _differs(v, vr) else None
        rtol = 1e-6 if "near_equal" in flags else 1e-10
        if set(flags0) & {"alpha_near_0", "alpha_near_1"}:
            rtol = max(rtol, 1e-7)
        tests.append(_case(len(tests) + 1,
                           {"p": [encode_float(x) for x in p], "q": [encode_float(x) for x in q],
                            "logp": [encode_float(x) for x in lp], "logq": [encode_float(x) for x in lq]},
                           v, flags=list(flags) + vf + list(flags0), comment=comment, rtol=rtol,
                           atol=1e-14 if v == 0 else 0.0, by_input=by))
    return tests


# ----------------------------------------------------------------------------- GAN pieces
D_STAR = [
    (math.log(0.3), math.log(0.1), (), ""),
    (0.0, 0.0, ("equal_densities",), "p = q"),
    (-2.0, 3.0, (), ""),
    (-math.inf, -1.0, ("zero_density",), "p = 0"),
    (-1.0, -math.inf, ("zero_density",), "q = 0"),
    (-745.0, -744.0, ("subnormal_density",), "p, q ≈ 5e-324"),
    (-800.0, -700.0, ("subnormal_density", "large_logu"), "p underflows to 0"),
    (40.0, -40.0, ("large_logit",), "log p − log q = 80"),
    (0.0, -800.0, ("large_logit", "extreme_ratio"), "q underflows"),
]


def cases_discriminator():
    tests = []
    for lp, lq, flags, comment in D_STAR:
        v, vf = _val(R.optimal_discriminator, lp, lq)
        p, q = math.exp(lp), math.exp(lq)
        vp, _ = _val(lambda a, b: R.optimal_discriminator(mp.log(mp.mpf(a)) if a > 0 else -mp.inf,
                                                          mp.log(mp.mpf(b)) if b > 0 else -mp.inf),
                     p, q)
        by = {"probs": vp} if _differs(v, vp) else None
        tests.append(_case(len(tests) + 1, {"logp": encode_float(lp), "logq": encode_float(lq),
                                            "p": encode_float(p), "q": encode_float(q)}, v,
                           flags=list(flags) + vf, comment=comment, rtol=1e-12,
                           atol=1e-300 if v == 0 else 0.0, by_input=by))
    return tests


LOGITS = [
    ([0.5, 1.5, -0.25], [-1.0, 0.0, 2.0], (), "moderate logits"),
    ([3.0], [-3.0], (), "single sample each"),
    ([0.0, 0.0], [0.0, 0.0], (), "D = 1/2 everywhere"),
    ([40.0, 45.0], [-40.0, -50.0], ("large_logit",), "confident, correct"),
    ([-40.0], [40.0], ("large_logit",), "confident, wrong"),
    ([100.0, -100.0], [100.0, -100.0], ("large_logit", "float32_overflow"), ""),
    ([800.0, -800.0, 1.0], [-800.0, 800.0, -1.0], ("large_logit", "float32_overflow"),
     "exp(800) overflows float64"),
]


def cases_losses(kind):
    tests = []
    for vr, vf_, flags, comment in LOGITS:
        if kind == "discriminator_loss":
            fn = R.gan_discriminator_loss
            v, vflags = _val(fn, vr, vf_)
            inputs = {"v_real": [encode_float(x) for x in vr], "v_fake": [encode_float(x) for x in vf_]}
        elif kind == "generator_loss":
            v, vflags = _val(R.gan_generator_loss, vf_)
            inputs = {"v_fake": [encode_float(x) for x in vf_]}
        else:
            v, vflags = _val(R.gan_generator_loss_nonsaturating, vf_)
            inputs = {"v_fake": [encode_float(x) for x in vf_]}
        tests.append(_case(len(tests) + 1, inputs, v, flags=list(flags) + vflags, comment=comment,
                           rtol=1e-12, atol=1e-15 if v == 0 else 0.0))
    return tests


FGAN_LOGITS = [
    ([0.5, 1.5, -0.25], [-1.0, 0.0, 2.0], (), "moderate critic outputs"),
    ([0.0], [0.0], (), "v = 0"),
    ([2.0, -2.0, 0.1], [-0.5, -3.0, 1.0], (), ""),
    ([30.0, -30.0], [30.0, -30.0], ("large_logit",), "large critic outputs"),
]


def cases_fgan(name, params, flags0, member):
    gen = gen_of(member)
    tests = []
    for vr, vf_, flags, comment in FGAN_LOGITS:
        if "large_logit" in flags and set(flags0) & {"alpha_near_0", "alpha_near_1"}:
            continue
        v, vflags = _val(lambda a, b: R.fgan_objective(gen, a, b), vr, vf_)
        rtol = 1e-8 if set(flags0) & {"alpha_near_0", "alpha_near_1"} else 1e-11
        tests.append(_case(len(tests) + 1, {"v_real": [encode_float(x) for x in vr],
                                            "v_fake": [encode_float(x) for x in vf_]},
                           v, flags=list(flags) + vflags + list(flags0), comment=comment,
                           rtol=rtol, atol=1e-15 if v == 0 else 0.0))
    return tests


# ----------------------------------------------------------------------------- continuous
def _teammate_continuous():
    """The teammate generator ``tests/references/generate_continuous.py`` as a module, or None."""
    root = Path(__file__).resolve().parents[2]
    path = root / "tests" / "references" / "generate_continuous.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("_fdiv_generate_continuous", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


#: pair tags taken from the teammate generator (its "all members" pairs and a few hard ones)
CONTINUOUS_TAGS = ("norm-equal-var", "norm-fieldnotes", "t4-scaled", "laplace-logistic",
                   "uniform-in-norm", "uniform-overlap", "norm-var-4-vs-1", "norm-far-apart",
                   "cauchy-norm", "expon-shift-q-later", "t3-t5")


def continuous_jobs(mod, tags=CONTINUOUS_TAGS, names=None):
    return [(pair, m) for pair, m in mod.jobs(list(tags))
            if pair.tag in tags and (names is None or m[0] in names)]


def continuous_record(mod, job):
    """One case from the teammate generator's ``run_case``, or None (refused, with reason)."""
    rec, msg = mod.run_case(job)
    return rec, msg


def build_continuous(workers=1, tags=CONTINUOUS_TAGS):
    mod = _teammate_continuous()
    if mod is None:
        raise RuntimeError("tests/references/generate_continuous.py not found: run from the repository")
    jobs = continuous_jobs(mod, tags)
    if workers > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(mod.run_case, jobs, chunksize=1)
    else:
        results = [mod.run_case(j) for j in jobs]
    groups, skipped = {}, []
    for (pair, m), (rec, msg) in zip(jobs, results):
        if rec is None:
            skipped.append(msg)
            continue
        key = (m[0], json.dumps(m[1], sort_keys=True))
        g = groups.setdefault(key, {"divergence": m[0], "params": m[1], "formula": m[2], "tests": []})
        flags = ["infinite" if f == "diverges" else f for f in rec["flags"]]
        g["tests"].append({"tcId": len(g["tests"]) + 1, "comment": rec.get("note", ""),
                           "flags": sorted(set(flags)),
                           "inputs": {"p": _spec(rec["p"]), "q": _spec(rec["q"])},
                           "expected": rec["expected"], "rtol": 1e-8, "atol": 1e-14
                           if rec["expected"] in ("0", "0.0") else 0.0})
    notes = dict(mod.FLAGS)
    notes["infinite"] = NOTES["infinite"]
    notes.pop("diverges", None)
    return list(groups.values()), skipped, notes, {"continuous_generator": "tests/references/generate_continuous.py",
                                                   "dps": mod.DPS, "check_dps": mod.CHECK_DPS,
                                                   "digits": mod.DIGITS}


def _spec(d):
    """``{"family": "norm", "args": [0, 1], "kwds": {}}`` as given to ``scipy.stats``."""
    return {"family": d["family"], "args": list(d.get("args", [])), "kwds": dict(d.get("kwds", {}))}


# ----------------------------------------------------------------------------- files
SIGNATURES = {
    "divergence_discrete": "D(p, q) -> float: p, q 1-D float64 arrays of probabilities "
                           "(input 'probs') or their logs (input 'logprobs')",
    "divergence_continuous": "D(P, Q) -> float: P, Q scipy.stats frozen distributions "
                             "(family, args, kwds)",
    "f": "f(u) -> float (input 'u') or f(e^logu) from logu (input 'logu')",
    "f_prime": "f'(u) -> float (input 'u') or from logu (input 'logu')",
    "conjugate": "f*(t) = sup_{u >= 0} (t u - f(u)) -> float; +inf outside the domain",
    "activation": "g_f(v) -> float: the f-GAN output activation (Nowozin et al. 2016, Table 2)",
    "conjugate_activation": "f*(g_f(v)) -> float, composed stably",
    "optimal_discriminator": "D*(p, q) = p/(p + q) -> float from densities (input 'probs') or "
                             "log densities (input 'logprobs')",
    "discriminator_loss": "L_D(v_real, v_fake) = -(mean log sigmoid(v_real) + mean log(1 - "
                          "sigmoid(v_fake))) -> float, from logits (to minimise)",
    "generator_loss": "L_G(v_fake) = mean log(1 - sigmoid(v_fake)) -> float (the minimax "
                      "generator loss, to minimise)",
    "generator_loss_nonsaturating": "L_G(v_fake) = -mean log sigmoid(v_fake) -> float (to minimise)",
    "fgan_objective": "J(v_real, v_fake) = mean g_f(v_real) - mean f*(g_f(v_fake)) -> float "
                      "(the f-GAN critic's objective, to maximise)",
}
CONVENTIONS = ("D_f(P||Q) = E_Q[f(p/q)] = sum/integral of q f(p/q), natural log (nats); "
               "Csiszár: p = 0 < q adds q f(0+), q = 0 < p adds p f'(inf); conjugates over u >= 0; "
               "TV = sum |p - q| <= 2, JS = KL(P||M)/2 + KL(Q||M)/2 <= log 2, squared Hellinger = "
               "sum (sqrt p - sqrt q)^2, Jeffreys = KL + reverse KL.")
QUANTITIES = tuple(SIGNATURES)
PER_MEMBER = {
    "divergence_discrete": cases_discrete,
    "f": lambda *a: cases_generator("f", *a),
    "f_prime": lambda *a: cases_generator("f_prime", *a),
    "conjugate": cases_conjugate,
    "activation": cases_activation,
    "conjugate_activation": lambda *a: cases_activation(*a, composed=True),
    "fgan_objective": cases_fgan,
}


def build(quantity, *, names=None, workers=1, log=None):
    """The document (a dict) for one quantity; ``names`` restricts the registry members."""
    skipped = []
    extra = {}
    notes_all = NOTES
    if quantity in PER_MEMBER:
        groups = []
        for name, params, flags0, member in members():
            if names is not None and name not in names:
                continue
            try:
                tests = PER_MEMBER[quantity](name, params, flags0, member)
            except Exception as exc:  # noqa: BLE001  (a member the reference cannot handle)
                skipped.append(f"{name} {params}: {type(exc).__name__}: {exc}")
                continue
            extra_g = {}
            if quantity in ("activation", "conjugate_activation", "fgan_objective"):
                extra_g["activation_form"] = member.activation_form
            groups.append(_group(name, params, member, tests, **extra_g))
            if log:
                log(f"{quantity}: {name} {params}: {len(tests)} cases")
    elif quantity == "optimal_discriminator":
        groups = [{"tests": cases_discriminator()}]
    elif quantity in ("discriminator_loss", "generator_loss", "generator_loss_nonsaturating"):
        groups = [{"tests": cases_losses(quantity)}]
    elif quantity == "divergence_continuous":
        groups, skipped, notes_all, extra = build_continuous(workers=workers)
    else:
        raise ValueError(f"quantity={quantity!r}: one of {', '.join(QUANTITIES)}")
    used = sorted({f for g in groups for t in g["tests"] for f in t["flags"]})
    doc = {
        "schema": SCHEMA,
        "quantity": quantity,
        "version": VERSION,
        "generator": "python -m fdiv.vectors.generate (fdiv/vectors/generate.py)",
        "mpmath": mp.__version__,
        "sympy": sp.__version__,
        "dps": {"start": 60, "confirm": "each value recomputed at twice the precision; agreement "
                f"to {R.DIGITS} digits", "digits_written": DIGITS},
        "signature": SIGNATURES[quantity],
        "conventions": CONVENTIONS,
        "notes": {f: notes_all.get(f, NOTES.get(f, "")) for f in used},
        "numberOfTests": sum(len(g["tests"]) for g in groups),
        "testGroups": groups,
    }
    if extra:
        doc["dps"] = extra
    if skipped:
        doc["skipped"] = skipped
    return doc


def dumps(doc) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m fdiv.vectors.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(DATA_DIR), help="directory (default: the package data)")
    ap.add_argument("--only", nargs="*", choices=QUANTITIES, help="quantities to regenerate")
    ap.add_argument("--workers", type=int, default=1, help="processes for the continuous pairs")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for q in args.only or QUANTITIES:
        doc = build(q, workers=args.workers, log=lambda m: print(m, file=sys.stderr, flush=True))
        (out / f"{q}.json").write_text(dumps(doc), encoding="utf-8")
        print(f"{q}: {doc['numberOfTests']} cases -> {out / (q + '.json')}"
              + (f" ({len(doc.get('skipped', []))} skipped)" if doc.get("skipped") else ""),
              file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
