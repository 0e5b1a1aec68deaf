"""The layering holds: imports are read from the source (AST), so a new import that breaks the
architecture fails here, wherever it stands (module level or inside a function).

    format  ←  xlsx, published  ←  checks, carry-forward, consolidate  ←  generator  ←  shells

- the format core imports nothing of ours but itself;
- the generator never imports the add-in (the checks included);
- nothing below the shells imports xlwings, click, rich or the batch wing;
- no import loop between packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# where each package of nianbao lives in the checkout (setup.cfg's package_dir)
ROOTS = {"nianbao.workbook_templates": REPO / "workbook_templates", "nianbao.addin": REPO / "addin",
         "nianbao.generator": REPO / "generator", "nianbao": REPO / "src" / "nianbao"}
SHELLS = ("nianbao.cli", "nianbao.__main__", "nianbao.batch", "nianbao.workbench", "nianbao.actions",
          "nianbao.addin.excel", "nianbao.addin.wps")
CORE = ("nianbao.workbook_templates", "nianbao.addin.checks", "nianbao.addin.carry_forward",
        "nianbao.addin.consolidate", "nianbao.generator")
SHELL_ONLY_LIBRARIES = ("xlwings", "click", "rich")


def modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for package, root in ROOTS.items():
        for path in root.rglob("*.py"):
            rel = path.relative_to(root).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([package, *parts])
            if package == "nianbao" and parts and parts[0] in ("workbook_templates", "addin", "generator"):
                continue
            out.setdefault(name, path)
    return out


def imports(name: str, path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)  # `from pkg import module`
    return out


def within(name: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


GRAPH = {name: imports(name, path) for name, path in modules().items()}
OURS = set(GRAPH)


def ours(targets: set[str]) -> set[str]:
    return {t for t in targets if t in OURS}


def test_the_graph_is_read():
    assert len(GRAPH) > 40
    assert "nianbao.workbook_templates.format.schema" in GRAPH["nianbao.addin.checks.registry"]


def test_format_core_imports_nothing_of_ours_but_itself():
    for name, targets in GRAPH.items():
        if within(name, "nianbao.workbook_templates.format"):
            bad = {t for t in ours(targets) if not within(t, "nianbao.workbook_templates.format")}
            assert not bad, f"{name} imports {bad}"


def test_xlsx_and_published_read_the_format_only():
    for name, targets in GRAPH.items():
        for layer in ("nianbao.workbook_templates.xlsx", "nianbao.workbook_templates.published"):
            if within(name, layer):
                bad = {t for t in ours(targets) if not within(t, ("nianbao.workbook_templates.format", layer))}
                assert not bad, f"{name} imports {bad}"


def test_generator_never_imports_the_addin():
    for name, targets in GRAPH.items():
        if within(name, "nianbao.generator"):
            bad = {t for t in targets if within(t, "nianbao.addin")}
            assert not bad, f"{name} imports {bad}"


def test_checks_never_import_the_generator_or_the_excel_shell():
    for name, targets in GRAPH.items():
        if within(name, ("nianbao.addin.checks", "nianbao.addin.carry_forward", "nianbao.addin.consolidate")):
            bad = {t for t in targets if within(t, ("nianbao.generator", "nianbao.addin.excel", "nianbao.batch"))}
            assert not bad, f"{name} imports {bad}"


def test_below_the_shells_no_xlwings_click_rich_or_batch():
    for name, targets in GRAPH.items():
        if within(name, SHELLS) or not within(name, CORE):
            continue
        bad = {t for t in targets if within(t, SHELL_ONLY_LIBRARIES + ("nianbao.batch", "nianbao.cli"))}
        assert not bad, f"{name} imports {bad}"


def package_of(module: str) -> str:
    """The layer a module belongs to, for the loop check."""
    for layer in ("nianbao.workbook_templates.format", "nianbao.workbook_templates.xlsx",
                  "nianbao.workbook_templates.published", "nianbao.addin.checks", "nianbao.addin.excel",
                  "nianbao.addin.wps", "nianbao.batch", "nianbao.workbench", "nianbao.generator"):
        if within(module, layer):
            return layer
    return module.rsplit(".", 1)[0] if module.count(".") > 1 else module


def test_no_import_loop_between_packages():
    edges: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        src = package_of(name)
        for t in ours(targets):
            dst = package_of(t)
            if dst != src:
                edges.setdefault(src, set()).add(dst)
    seen: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(edges.get(node, ())):
            assert seen.get(nxt) != 1, "import loop: " + " → ".join(trail + [node, nxt])
            if nxt not in seen:
                visit(nxt, trail + [node])
        seen[node] = 2

    for node in sorted(edges):
        if node not in seen:
            visit(node, [])


def test_the_layering_test_sees_a_violation(tmp_path):
    """The checks above would catch a generator that imports the checks."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from nianbao.addin.checks.validate import check\n", encoding="utf-8")
    assert "nianbao.addin.checks.validate" in imports("nianbao.generator.bad", bad)
