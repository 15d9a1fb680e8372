"""The registry of f-divergences: ``names()``, ``get(name, **params)``, ``register(...)``."""
from __future__ import annotations

import difflib
import inspect
from typing import Callable

from ._generator import FDivergence

__all__ = ["names", "get", "register", "resolve"]

_FACTORIES: dict[str, Callable[..., FDivergence]] = {}


def register(member, *, name: str | None = None, replace: bool = False):
    """Add a member to the registry.

    Parameters
    ----------
    member : FDivergence or callable
        A ready member, or a factory ``(**params) -> FDivergence`` for parameterised families
        (``alpha``); the factory's keyword defaults are the defaults of :func:`get`.
    name : str, optional
        Registry name; defaults to ``member.name`` (or the factory's ``__name__``).
    replace : bool
        Allow replacing an existing name.

    Returns
    -------
    The ``member`` itself, so a module can write ``KL = register(FDivergence(...))``.
    """
    if isinstance(member, FDivergence):
        key = name or member.name
        factory = _constant(member)
    elif callable(member):
        key = name or member.__name__
        factory = member
    else:
        raise TypeError(f"register() takes an FDivergence or a factory, not {type(member).__name__}")
    if not isinstance(key, str) or not key.isidentifier():
        raise ValueError(f"name={key!r}: registry names are Python identifiers like 'kl'")
    if key in _FACTORIES and not replace:
        raise ValueError(f"name={key!r} is already registered; pass replace=True to override it")
    _FACTORIES[key] = factory
    return member


def _constant(member):
    def factory():
        return member

    factory.__name__ = member.name
    factory.__doc__ = member.__doc__
    return factory


def names() -> list[str]:
    """Registered names, sorted."""
    _load_builtins()
    return sorted(_FACTORIES)


def get(name: str, **params) -> FDivergence:
    """The registry member ``name`` (with ``params`` for parameterised families).

    Raises
    ------
    ValueError
        For an unknown name (listing close matches) or parameters the member does not take.
    """
    _load_builtins()
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'kl', not {type(name).__name__}")
    try:
        factory = _FACTORIES[name]
    except KeyError:
        close = difflib.get_close_matches(name, _FACTORIES, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(
            f"unknown divergence name={name!r}{hint} (fdiv.names() lists all {len(_FACTORIES)})"
        ) from None
    sig = inspect.signature(factory)
    unknown = set(params) - set(sig.parameters)
    if unknown:
        takes = ", ".join(sig.parameters) or "no parameters"
        raise ValueError(f"divergence {name!r} takes {takes}; got unexpected {sorted(unknown)}")
    return factory(**params)


def resolve(div) -> FDivergence:
    """An :class:`FDivergence` from a member or a registry name (``'alpha'`` uses defaults)."""
    if isinstance(div, FDivergence):
        return div
    if isinstance(div, str):
        return get(div)
    raise TypeError(
        f"div must be a registry name (see fdiv.names()) or an FDivergence, not {type(div).__name__}"
    )


_LOADED = False


def _load_builtins():
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from . import divergences  # noqa: F401  (members register themselves on import)
