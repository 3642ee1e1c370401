"""tools/install_lock.py's decisions, without a network: uv with the system trust store and pip's
index and certificate; pip when uv is missing; and, when uv fails, pip with the same lock after one
line that says so (run for real: a uv that cannot reach its index)."""

import subprocess
import sys
import venv
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
import install_lock  # noqa: E402

from tests.test_command_errors import closed_port  # noqa: E402

CONFIG = """global.cert='/etc/ssl/certs/ca-certificates.crt'
global.index-url='https://mirror.example/simple'
install.index-url='https://install.example/simple'
global.extra-index-url='file:///opt/pypi/simple'
"""


def test_pip_settings_take_the_most_specific_source() -> None:
    settings = install_lock.pip_settings(CONFIG + ":env:.cert='/env/ca.pem'\n")
    assert settings["index-url"] == "https://install.example/simple"  # [install] over [global]
    assert settings["cert"] == "/env/ca.pem"  # PIP_CERT over the files


def test_uv_uses_the_system_trust_store_and_pips_index_and_certificate(tmp_path: Path) -> None:
    uv = tmp_path / "uv"
    uv.touch()
    first, fallback = install_lock.plan("py", str(uv), "requirements.lock", {}, CONFIG)
    assert [step.command[0] for step in first] == [str(uv), str(uv)]
    assert first[0].command[-2:] == ["-r", "requirements.lock"]
    assert first[1].command[-3:] == ["--no-deps", "-e", "."]
    env = first[0].env
    assert env["UV_SYSTEM_CERTS"] == "1"
    assert env["SSL_CERT_FILE"] == "/etc/ssl/certs/ca-certificates.crt"
    assert env["UV_DEFAULT_INDEX"] == "https://install.example/simple"
    assert "UV_INDEX" not in env  # extra indexes stay pip's (uv would prefer them)
    assert [step.command[:3] for step in fallback] == [["py", "-m", "pip"]] * 2


def test_the_users_own_uv_settings_win(tmp_path: Path) -> None:
    uv = tmp_path / "uv"
    uv.touch()
    env = {"SSL_CERT_FILE": "/mine.pem", "UV_DEFAULT_INDEX": "https://mine.example/simple"}
    first, _ = install_lock.plan("py", str(uv), "lock", env, CONFIG)
    assert first[0].env["SSL_CERT_FILE"] == "/mine.pem"
    assert first[0].env["UV_DEFAULT_INDEX"] == "https://mine.example/simple"


def test_without_uv_pip_installs_at_once() -> None:
    first, fallback = install_lock.plan("py", "/nonexistent/uv", "lock", {}, "")
    assert [step.command[1:4] for step in first] == [["-m", "pip", "install"]] * 2
    assert fallback == []


def test_a_uv_that_cannot_reach_its_index_falls_back_to_pip_in_one_line(tmp_path: Path) -> None:
    """Real uv, an index nobody serves (a closed port), no cache: it cannot install the lock; pip
    then installs the same lock offline from a local folder, through its own configuration."""
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    lock = tmp_path / "lock.txt"
    backend: dict = {}
    exec(BACKEND, backend)
    backend["build_wheel"](str(wheels))  # probe 0, for pip to find offline
    lock.write_text("probe==0\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "probe"\nversion = "0"\n[build-system]\nrequires = []\n'
        'build-backend = "backend"\nbackend-path = ["."]\n'
    )
    (project / "backend.py").write_text(BACKEND)
    uv = Path(sys.executable).parent / "uv"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "UV_NO_CACHE": "1",
        "UV_DEFAULT_INDEX": f"http://127.0.0.1:{closed_port()}/simple",  # as behind a proxy
        "UV_HTTP_RETRIES": "0",  # it fails the same, without five seconds of retries first
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_NO_BUILD_ISOLATION": "1",
    }
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tools" / "install_lock.py"),
         str(target / "bin" / "python"), str(uv), str(lock)],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.stdout.count("installing the same lock with pip instead") == 1, done
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [str(target / "bin" / "python"), "-m", "pip", "list"], capture_output=True, text=True
    )
    assert "probe" in listed.stdout  # pip did install it


BACKEND = """
import base64, hashlib, zipfile

def _wheel(directory, editable):
    name = "probe-0-py3-none-any.whl"
    files = {
        "probe.py": "VALUE = 0\\n",
        "probe-0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: probe\\nVersion: 0\\n",
        "probe-0.dist-info/WHEEL": "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    with zipfile.ZipFile(f"{directory}/{name}", "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(text)}")
        record.append("probe-0.dist-info/RECORD,,")
        z.writestr("probe-0.dist-info/RECORD", "\\n".join(record) + "\\n")
    return name

def build_wheel(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, False)

def build_editable(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, True)
"""


def test_uv_installs_the_lock_compiled(tmp_path: Path) -> None:
    """The locked packages arrive with their bytecode: where PYTHONDONTWRITEBYTECODE is set, Python
    never writes it, and every run would compile SQLAlchemy, Alembic and pytest again (run for real:
    uv, offline, installs a one-module package from a local folder)."""
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    backend: dict = {}
    exec(BACKEND, backend)
    backend["build_wheel"](str(wheels))
    lock = tmp_path / "lock.txt"
    lock.write_text("probe==0\n")
    uv = str(Path(sys.executable).parent / "uv")
    first, _ = install_lock.plan(str(target / "bin" / "python"), uv, str(lock), {}, "")
    locked = first[0]
    offline = {**locked.env, "UV_OFFLINE": "1", "UV_NO_CACHE": "1", "UV_FIND_LINKS": str(wheels)}
    subprocess.run(locked.command, env=offline, check=True)
    assert list(target.glob("lib/python3*/site-packages/probe.py"))
    compiled = list(target.glob("lib/python3*/site-packages/__pycache__/probe.*.pyc"))
    assert compiled, "probe was installed without its bytecode"
