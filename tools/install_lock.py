"""Install the lock into the venv: uv when it can reach the package index, else pip, same lock.

Why a script: uv ignores pip's configuration and, unless told, trusts only the certificates it
bundles, so behind a TLS-inspecting proxy (a classroom's, a company's) `uv pip install` fails with
"invalid peer certificate: UnknownIssuer" where pip, reading /etc/pip.conf and the system's CA
bundle, works. So uv is told to use the system trust store (`--system-certs`, uv 0.13.9) and to use
the index and certificate pip is configured with; if it still fails, pip installs the same lock, and
one line says so. `plan()` holds the decisions so that tests can check them without a network.

Usage (the Makefile's): python tools/install_lock.py VENV_PYTHON UV LOCK
Standard library only: it runs before anything is installed.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Step:
    command: list[str]
    env: dict[str, str]


def pip_settings(pip_config_list: str) -> dict[str, str]:
    """`pip config list` output (`global.index-url='https://…'`) as {'index-url': …}; the most
    specific source wins as in pip: PIP_* variables (`:env:`) over [install] over [global]."""
    found: dict[str, tuple[int, str]] = {}
    for line in pip_config_list.splitlines():
        key, sep, value = line.partition("=")
        if not sep or "." not in key:
            continue
        section, name = key.split(".", 1)
        rank = {"global": 0, "install": 1, ":env:": 2}.get(section)
        if rank is None:
            continue
        if name not in found or rank >= found[name][0]:
            found[name] = (rank, value.strip().strip("'\""))
    return {name: value for name, (_, value) in found.items()}


def uv_environment(env: dict[str, str], pip: dict[str, str]) -> dict[str, str]:
    """`env` for uv: the system trust store, and pip's index and certificate unless uv has its own
    (the tests that run uv themselves, to build a wheel or make a venv, use it too)."""
    uv_env = dict(env)
    uv_env["UV_SYSTEM_CERTS"] = "1"  # the machine's CA bundle, where a proxy's CA is installed
    index = pip.get("index-url")
    if index and "UV_DEFAULT_INDEX" not in env and "UV_INDEX_URL" not in env:
        uv_env["UV_DEFAULT_INDEX"] = index
    cert = pip.get("cert")
    if cert and "SSL_CERT_FILE" not in env:
        uv_env["SSL_CERT_FILE"] = cert
    return uv_env


def pip_config_list(python: str) -> str:
    """`pip config list` of `python`'s pip: what pip_settings reads."""
    return subprocess.run(
        [python, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    ).stdout


def uv_steps(
    python: str, uv: str, lock: str, env: dict[str, str], pip: dict[str, str]
) -> list[Step]:
    """uv's two installs, with the system trust store and pip's index and certificate (pip's extra
    indexes and find-links are not carried over: uv prefers extra indexes to the default one, which
    could change where a locked package comes from; pip, the fallback, uses them)."""
    uv_env = uv_environment(env, pip)
    base = [uv, "pip", "install", "--quiet", "--python", python]
    # compiled once here, as pip does by default: without it, where PYTHONDONTWRITEBYTECODE is set
    # (some images and CI machines), every pytest run compiles SQLAlchemy, Alembic and pytest anew
    # (a few tenths of a second per run of one test file; more on a slow machine)
    locked = [*base, "--compile-bytecode", "-r", lock]
    return [Step(locked, uv_env), Step([*base, "--no-deps", "-e", "."], uv_env)]


def pip_steps(python: str, lock: str, env: dict[str, str]) -> list[Step]:
    """pip's two installs: it reads the system-wide and the user's pip configuration itself."""
    base = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    return [Step([*base, "-r", lock], dict(env)), Step([*base, "--no-deps", "-e", "."], dict(env))]


def plan(
    python: str, uv: str, lock: str, env: dict[str, str], pip_config_list: str
) -> tuple[list[Step], list[Step]]:
    """(what to try first, what to fall back to): uv when it is installed, else pip at once."""
    fallback = pip_steps(python, lock, env)
    if not Path(uv).exists():
        return fallback, []
    return uv_steps(python, uv, lock, env, pip_settings(pip_config_list)), fallback


def run(steps: list[Step]) -> bool:
    return all(subprocess.run(step.command, env=step.env).returncode == 0 for step in steps)


def main(argv: list[str]) -> int:
    python, uv, lock = argv
    first, fallback = plan(python, uv, lock, dict(os.environ), pip_config_list(python))
    if run(first):
        return 0
    if not fallback:
        return 1
    print("== uv could not install the lock (see above); installing the same lock with pip instead")
    return 0 if run(fallback) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
