"""The service definitions an operator installs (tools/deploy): systemd units that systemd accepts, a
compose file valid under the Compose specification, and the same code location, run queue limits
and instance settings in every one of them as in the tested `make serve` configuration."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

from jiit_assets_tests.fixtures.servers import REPO_ROOT

DEPLOY = REPO_ROOT / "tools" / "deploy"
UNITS = sorted(path for path in (DEPLOY / "systemd").glob("jiit-*") if path.suffix in (".service", ".target"))
INSTALL_DIR = "/opt/jiit-assets"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def code_location_module() -> str:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    return str(pyproject["tool"]["dagster"]["module_name"])


def unit_setting(unit: Path, key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", unit.read_text(), flags=re.MULTILINE)


def test_systemd_accepts_every_unit(tmp_path: Path) -> None:
    # Installed as the README says, the units' programs live in INSTALL_DIR; systemd-analyze checks
    # that they exist, so point them at this checkout, which has the same layout.
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALL_DIR, str(REPO_ROOT)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(path) for path in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""  # unknown keys and bad values are only warnings


def test_every_service_runs_as_the_dedicated_user_and_restarts_on_failure() -> None:
    services = [unit for unit in UNITS if unit.suffix == ".service"]
    assert {unit.name for unit in services} >= {
        "jiit-code-server.service",
        "jiit-dagster-daemon.service",
        "jiit-dagster-webserver.service",
    }
    for unit in services:
        assert unit_setting(unit, "User") == ["jiit"], unit.name
        assert unit_setting(unit, "Restart") == ["on-failure"], unit.name
        assert unit_setting(unit, "WorkingDirectory"), unit.name
        if unit.name != "jiit-ferretdb.service":
            assert unit_setting(unit, "EnvironmentFile") == ["/etc/jiit-assets/jiit-assets.env"], unit.name


def test_the_daemon_starts_only_after_the_code_location_loads() -> None:
    daemon = DEPLOY / "systemd" / "jiit-dagster-daemon.service"
    [check] = unit_setting(daemon, "ExecStartPre")
    assert shlex.split(check)[1:4] == ["definitions", "validate", "-w"]
    assert unit_setting(daemon, "Requires") == ["jiit-code-server.service"]
    compose = load_yaml(DEPLOY / "compose.yaml")
    command = " ".join(compose["services"]["daemon"]["command"])
    assert command.index("dagster definitions validate") < command.index("dagster-daemon run")
    assert compose["services"]["daemon"]["depends_on"]["code-server"]["condition"] == "service_healthy"


def test_compose_file_is_valid_under_the_compose_specification() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("check-jsonschema")),
            "--builtin-schema",
            "vendor.compose-spec",
            str(DEPLOY / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_deployment_serves_the_same_code_location() -> None:
    module = code_location_module()
    expected = ["-m", module, "--location-name", "jiit_assets"]
    [exec_start] = unit_setting(DEPLOY / "systemd" / "jiit-code-server.service", "ExecStart")
    assert shlex.split(exec_start)[-4:] == expected
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert '"-m", "jiit_assets.definitions", "--location-name", "jiit_assets"' in dockerfile
    assert module == "jiit_assets.definitions"
    helm = load_yaml(DEPLOY / "helm" / "values.yaml")
    [deployment] = helm["dagster-user-deployments"]["deployments"]
    assert deployment["codeServerArgs"] == expected
    workspace = load_yaml(DEPLOY / "workspace.prod.yaml")
    assert workspace["load_from"][0]["grpc_server"]["location_name"] == "jiit_assets"


def test_every_instance_has_the_same_run_queue_limits_and_no_telemetry() -> None:
    development = load_yaml(REPO_ROOT / "dagster.yaml")
    production = load_yaml(DEPLOY / "dagster.prod.yaml")
    helm = load_yaml(DEPLOY / "helm" / "values.yaml")
    assert production["concurrency"] == development["concurrency"]
    assert production["freshness"] == development["freshness"]
    runs = production["concurrency"]["runs"]
    assert {"key": "jiit/delivery", "limit": 1} in runs["tag_concurrency_limits"]
    assert helm["concurrency"] == {
        "enabled": True,
        "runs": {
            "maxConcurrentRuns": runs["max_concurrent_runs"],
            "tagConcurrencyLimits": runs["tag_concurrency_limits"],
        },
        "pools": {"defaultLimit": production["concurrency"]["pools"]["default_limit"]},
    }
    assert helm["additionalInstanceConfig"]["freshness"] == production["freshness"]
    # Limits live in `concurrency` only: a run coordinator configuration would conflict with it.
    assert "config" not in helm["dagsterDaemon"]["runCoordinator"]
    assert production["telemetry"] == {"enabled": False}
    assert helm["telemetry"] == {"enabled": False}
    # Production state lives in PostgreSQL, with every connection setting from the environment.
    database = production["storage"]["postgres"]["postgres_db"]
    assert all(
        isinstance(value, dict) and "env" in value for key, value in database.items() if key != "scheme"
    )
    assert helm["postgresql"]["enabled"] is False and helm["runLauncher"]["type"] == "K8sRunLauncher"


def test_dockerfile_copies_only_files_that_exist() -> None:
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _target = line.split()[1:]
            for source in sources:
                assert (REPO_ROOT / source).exists(), line
