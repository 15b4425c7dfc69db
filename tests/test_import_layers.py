"""Imports point one way: core -> layers -> backbones/data -> presets -> model contract -> families
(and training, analysis, evaluation) -> prediction, export, demo -> CLI. Every ``keras_saliency`` import (module
level or inside a function) is checked."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "keras_saliency"

# Lowest first; a module may import its own rank or lower. The first matching prefix decides.
RANKS = [
    ("keras_saliency.models.contract", 0),  # NumPy only: the classical models and metrics use it
    ("keras_saliency.layers", 1),
    ("keras_saliency.convert", 1),
    ("keras_saliency.backbones", 2),
    ("keras_saliency.data", 2),
    ("keras_saliency.presets", 3),
    ("keras_saliency.models", 4),
    ("keras_saliency.zoo", 5),
    ("keras_saliency.classical", 5),
    ("keras_saliency.training", 5),
    ("keras_saliency.analysis", 5),
    ("keras_saliency.evaluation", 5),  # the cross-validation protocol; DeepGaze's training runs on it
    ("keras_saliency.prediction", 6),
    ("keras_saliency.export", 6),  # runtime artifacts of the families; takes any --model spec
    ("keras_saliency.demo", 6),  # the web demo: prediction and exported artifacts
    ("keras_saliency.cli", 7),
    ("keras_saliency.testing", 8),
    ("keras_saliency.", 0),  # the core modules: density, maps, metrics, losses, fixations, image_files, ...
]


def rank(module: str) -> int:
    if module == "keras_saliency":
        return 0
    return next(r for prefix, r in RANKS if module == prefix or module.startswith(prefix + ".")
                or (prefix.endswith(".") and module.startswith(prefix)))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree, module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("keras_saliency"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("keras_saliency"):
            for alias in node.names:  # `from keras_saliency import zoo` imports the submodule zoo
                yield f"{node.module}.{alias.name}" if node.module == "keras_saliency" else node.module
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{module}: relative import (use absolute keras_saliency imports)")


def test_no_module_imports_a_layer_above_it():
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        if module == "keras_saliency":
            continue  # the facade: `keras_saliency.predict` etc. import lazily on first use
        for target in imported(ast.parse(path.read_text()), module):
            if rank(target) > rank(module):
                violations.append(f"{module} (rank {rank(module)}) imports {target} (rank {rank(target)})")
    assert not violations, "\n".join(violations)


def test_the_rule_catches_an_upward_import():
    tree = ast.parse("from keras_saliency.zoo.unisal import UNISAL")
    assert [t for t in imported(tree, "keras_saliency.backbones.registry") if rank(t) > 2] == [
        "keras_saliency.zoo.unisal"]


def _import_graph():
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for module, path in modules.items():
        targets = set()
        for target in imported(ast.parse(path.read_text()), module):
            while target not in modules and "." in target:  # `from pkg.mod import name` -> pkg.mod
                target = target.rsplit(".", 1)[0]
            if target in modules and target != module and not module.startswith(target + "."):
                targets.add(target)  # importing one's own parent package is not a cycle
        graph[module] = targets
    return graph


def _cycle(graph):
    """One import cycle as a list of modules, or None."""
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles():
    assert _cycle(_import_graph()) is None, " -> ".join(_cycle(_import_graph()))
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
