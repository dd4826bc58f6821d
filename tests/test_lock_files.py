"""The lock files pin everything the project asks for, as Heroku installs it."""

import re
import tomllib

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(requirement: str) -> str:
    name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned(lock: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / lock).read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def test_runtime_lock_pins_every_dependency() -> None:
    wanted = {_name(r) for r in PYPROJECT["project"]["dependencies"]}

    assert wanted - set(_pinned("requirements.txt")) == set()


def test_runtime_lock_installs_the_project_by_a_relative_path() -> None:
    lines = (ROOT / "requirements.txt").read_text().splitlines()

    assert lines[-1] == "."
    assert not [line for line in lines if "file:" in line]


def test_dev_lock_pins_every_dependency_alike() -> None:
    dev = _pinned("requirements-dev.txt")
    wanted = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    wanted |= {_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}

    assert wanted - set(dev) == set()
    runtime = _pinned("requirements.txt")
    assert {k: v for k, v in runtime.items() if dev.get(k) != v} == {}
