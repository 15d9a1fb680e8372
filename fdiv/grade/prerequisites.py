"""Reference versions of a task's prerequisites, cut out of the reference solution.

A task such as "the f-divergence between probability vectors" may call the student's
``generator``; it is graded with the *reference* ``generator`` instead, so that one mistake is not
penalised twice.  :func:`prerequisite_source` extracts from the solution only what those functions
need (the imports, module-level constants and the functions they call, transitively) — not the
whole solution, which the student's process must not be handed.
"""
from __future__ import annotations

import ast

__all__ = ["prerequisite_source"]


def _top_level_names(node) -> set:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _used_names(node) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def prerequisite_source(solution_source: str, names) -> str:
    """Python source defining ``names`` (and what they use) from ``solution_source``.

    Raises ``ValueError`` when a name is not defined at the top level of the solution.
    """
    tree = ast.parse(solution_source)
    defs = {}
    for node in tree.body:
        for name in _top_level_names(node):
            defs.setdefault(name, node)
    missing = [n for n in names if n not in defs]
    if missing:
        raise ValueError(f"the reference solution defines no {missing}: prerequisites must name "
                         f"top-level functions of the solution")
    needed, todo = set(), list(names)
    while todo:
        name = todo.pop()
        node = defs.get(name)
        if node is None or id(node) in needed:
            continue
        needed.add(id(node))
        todo.extend(n for n in _used_names(node) if n in defs)
    body = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in needed:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                node = _strip_docstring(node)
            body.append(node)
    return ast.unparse(ast.Module(body=body, type_ignores=[])) + "\n"


def _strip_docstring(node):
    node = ast.parse(ast.unparse(node)).body[0]  # a copy
    if node.body and isinstance(node.body[0], ast.Expr) and isinstance(
            getattr(node.body[0], "value", None), ast.Constant) and isinstance(node.body[0].value.value, str):
        node.body = node.body[1:] or [ast.Pass()]
    return node
