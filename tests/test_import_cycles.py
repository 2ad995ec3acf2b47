"""scripts/check_import_cycles.py, the check `make test` runs over skod/: small packages written
in tmp_path, each with or without a circle, read by the checker's own functions."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _checker():  # noqa: ANN202 - the script's module
    """The script imported from its file: scripts/ is not a package."""
    spec = importlib.util.spec_from_file_location(
        "check_import_cycles", ROOT / "scripts" / "check_import_cycles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _checker()


def package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package `pkg` under tmp_path with `files` (path inside pkg -> source)."""
    root = tmp_path / "pkg"
    for name, source in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root


def found(root: Path) -> list[list[str]]:
    known = check.module_names(root)
    graph = {name: check.edges_of(name, path, known) for name, path in known.items()}
    return check.cycles(graph)


def test_two_modules_importing_each_other(tmp_path):
    root = package(tmp_path, {"a.py": "import pkg.b\n", "b.py": "from pkg.a import thing\n"})
    assert found(root) == [["pkg.a", "pkg.b"]]


def test_a_lazy_import_inside_a_function_counts(tmp_path):
    root = package(tmp_path, {
        "a.py": "from pkg import b\n",
        "b.py": """
            def later():
                from pkg.a import thing
                return thing
            """})
    assert found(root) == [["pkg.a", "pkg.b"]]


def test_from_package_import_submodule_and_relative_imports(tmp_path):
    root = package(tmp_path, {
        "a.py": "from pkg.sub import c\n",  # `from package import submodule`
        "sub/c.py": "from . import d\n",  # relative, same package
        "sub/d.py": "from ..a import thing\n",  # relative, one level up
    })
    assert found(root) == [["pkg.a", "pkg.sub.c", "pkg.sub.d"]]


def test_an_import_under_type_checking_does_not_count(tmp_path):
    root = package(tmp_path, {
        "a.py": "from pkg import b\n",
        "b.py": """
            from typing import TYPE_CHECKING
            import typing

            if TYPE_CHECKING:
                from pkg.a import Thing
            if typing.TYPE_CHECKING:
                import pkg.a
            """})
    assert found(root) == []


def test_one_way_imports_are_no_circle(tmp_path):
    root = package(tmp_path, {"a.py": "from pkg import b, c\n", "b.py": "import pkg.c\n",
                              "c.py": "import os\n"})
    assert found(root) == []


@pytest.mark.parametrize(("b_source", "code", "words"), [
    ("from pkg.a import thing\n", 1, "import cycle among 2 modules: pkg.a, pkg.b"),
    ("import os\n", 0, "no import cycle among the 3 modules of pkg/"),
])
def test_main_exit_code_and_message(tmp_path, capsys, b_source, code, words):
    root = package(tmp_path, {"a.py": "from pkg import b\n", "b.py": b_source})
    assert check.main(["check_import_cycles.py", str(root)]) == code
    assert words in capsys.readouterr().out
