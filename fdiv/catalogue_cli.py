"""``fdiv list`` and ``fdiv divergence``: the registry table and one divergence from the shell."""
from __future__ import annotations

import ast
import json
import math
import time
import warnings

from ._cli_common import parse_params
from ._encoding import encode_float


def add_parser(sub):
    p = sub.add_parser("list", help="the registry: name, f, f*, domain, activation, conventions")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_list)

    d = sub.add_parser(
        "divergence", help="D_f(P||Q) between two distributions",
        description="Examples: fdiv divergence kl 'norm(0, 1)' 'norm(1, 2)'; "
                    "fdiv divergence js '[0.5, 0.5, 0]' '[0.25, 0.25, 0.5]'",
    )
    d.add_argument("name", help="registry name (fdiv list)")
    d.add_argument("p", help="e.g. 'norm(0, 1)', 't(5, loc=0, scale=1)', "
                              "'mixture([0.5, 0.5], [norm(-1, 1), norm(1, 1)])' or '[0.2, 0.8]'")
    d.add_argument("q")
    d.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="member parameter, e.g. --param a=0.5 for alpha")
    d.add_argument("--rtol", type=float, default=1e-10)
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=_divergence)
    return p


def _rows():
    import fdiv

    for name in fdiv.names():
        try:
            m = fdiv.get(name)
        except TypeError:  # a family without defaults
            continue
        yield {
            "name": name,
            "f": m.formula,
            "params": dict(m.params),
            "conjugate": m.conjugate_form,
            "conjugate_domain": [f"{v:g}" for v in m.conjugate_domain],
            "activation": m.activation_form,
            "f(1)": m.f_at_one,
            "symmetric": m.symmetric,
            "upper_bound": m.upper_bound,
            "conventions": m.conventions,
        }


def _list(args):
    rows = list(_rows())
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        lo, hi = r["conjugate_domain"]
        print(f"{r['name']}{'(' + params + ')' if params else ''}")
        print(f"    f(u)   = {r['f']}")
        print(f"    f*(t)  = {r['conjugate']}    on ({lo}, {hi})")
        print(f"    g_f(v) = {r['activation']}")
        if r["conventions"]:
            print(f"    note   : {r['conventions']}")
    return 0


def _operand(text):
    import fdiv

    if text.lstrip().startswith("["):
        try:
            return list(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            raise ValueError(f"cannot parse probability list {text!r}: write it like '[0.2, 0.8]'") from None
    return fdiv.parse_spec(text)


def _divergence(args):
    import fdiv

    params = parse_params(args.param, ast.literal_eval)  # literal_eval: integers stay integers
    member = fdiv.get(args.name, **params)
    p, q = _operand(args.p), _operand(args.q)
    discrete = isinstance(p, list)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", fdiv.IntegrationWarning)
        value, err = fdiv.divergence(member, p, q, rtol=args.rtol, return_error=True)
    seconds = time.perf_counter() - t0
    method = "exact sum (discrete)" if discrete else (
        "analytic: infinite" if value == math.inf and err == 0 else "adaptive Gauss-Kronrod 21 (certified)")
    warn = [str(w.message) for w in caught if issubclass(w.category, fdiv.IntegrationWarning)]
    if args.json:
        print(json.dumps({"divergence": args.name, "params": params, "p": args.p, "q": args.q,
                          "value": encode_float(value),
                          "error": err, "method": method, "seconds": seconds, "warnings": warn}))
    else:
        print(f"D_{args.name}(P||Q) = {value!r}  (error estimate {err:.2g}, {method}, {seconds:.3g} s)")
        for w in warn:
            print(f"warning: {w}")
    return 0
