"""docker-compose.yml cannot run on the machines this project is built on (no Docker engine), so
its files are checked here against what does run: the stack's servers and the CLI."""

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from commerce.entrypoints.cli import main
from commerce.settings import load_settings
from devstack import elasticsearch
from devstack.layout import Layout
from devstack.mail import MailServer
from devstack.manager import DEFAULT_PORTS
from devstack.redis import RedisServer

CHECKOUT = Path(__file__).resolve().parents[2]
SERVERS = {"postgres": 5432, "redis": 6379, "elasticsearch": 9200, "mail": 1025}
# The processes `make run` (`commerce dev`) runs beside the servers.
PROCESSES = {"api", "relay", "worker", "scheduler"}
OBSERVABILITY = {"prometheus", "grafana", "otel-collector", "tempo"}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((CHECKOUT / "docker-compose.yml").read_text())
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (CHECKOUT / "Dockerfile").read_text()


def test_compose_runs_the_same_servers_and_processes_as_make_run(
    services: dict[str, dict[str, Any]],
) -> None:
    assert set(services) == set(SERVERS) | PROCESSES | OBSERVABILITY


def test_servers_are_published_on_loopback_at_the_stacks_own_ports(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, inner in SERVERS.items():
        assert services[name]["ports"] == [f"127.0.0.1:{DEFAULT_PORTS[name]}:{inner}"]


def test_server_versions_are_the_ones_the_stack_and_ci_run(
    services: dict[str, dict[str, Any]],
) -> None:
    assert services["elasticsearch"]["image"].endswith(f":{elasticsearch.VERSION}")
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


def test_redis_keeps_its_data_as_the_stack_configures_it(
    services: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    stack_argv, _ = RedisServer(Layout(tmp_path, tmp_path, None), 1).command()

    assert _persistence(services["redis"]["command"]) == _persistence(stack_argv)


def test_the_mail_sink_is_the_stacks_own_on_its_published_port(
    services: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    stack_argv, _ = MailServer(Layout(tmp_path, tmp_path, None), 1).command()
    argv = services["mail"]["command"]
    options = dict(zip(argv[3::2], argv[4::2], strict=True))

    assert argv[:3] == ["python", *stack_argv[1:3]]
    assert set(options) == {"--host", "--port", "--folder"}
    assert int(options["--port"]) == SERVERS["mail"]
    assert services["mail"]["volumes"] == [f"mail-data:{options['--folder']}"]
    smtp_url = services["worker"]["environment"]["COMMERCE_SMTP_URL"]
    assert smtp_url == f"smtp://mail:{options['--port']}"


def test_every_process_runs_a_command_the_cli_has(
    services: dict[str, dict[str, Any]], dockerfile: str
) -> None:
    default = _dockerfile_cmd(dockerfile)
    for name in PROCESSES:
        argv = services[name].get("command", default)
        assert argv[0] == "commerce", name
        command = main.get_command(click.Context(main), argv[1])
        assert command is not None, f"{name}: `commerce {argv[1]}` does not exist"
        command.make_context(argv[1], list(argv[2:]))  # its options parse


def test_every_commerce_variable_is_a_setting_the_service_accepts(
    services: dict[str, dict[str, Any]], dockerfile: str
) -> None:
    image_env = dict(re.findall(r"(COMMERCE_\w+)=(\S+)", dockerfile))
    for name in PROCESSES:
        env = image_env | services[name].get("environment", {})
        load_settings({key: str(value) for key, value in env.items()})


def test_the_image_installs_the_packages_with_the_pinned_versions(dockerfile: str) -> None:
    assert "COPY src ./src" in dockerfile
    assert "COPY projections ./projections" in dockerfile
    assert "-c constraints.txt" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE), "the image runs as root"


def test_prometheus_scrapes_each_process_at_the_port_its_settings_give_it(
    services: dict[str, dict[str, Any]],
) -> None:
    config = yaml.safe_load((CHECKOUT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        job["job_name"]: target
        for job in config["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    settings = load_settings({})

    assert targets == {
        "api": f"api:{settings.port}",
        "relay": f"relay:{settings.relay_metrics_port}",
        "worker": f"worker:{settings.worker_metrics_port}",
    }
    for name in ("relay", "worker"):  # reachable from the Prometheus container
        assert services[name]["environment"]["COMMERCE_METRICS_HOST"] == "0.0.0.0"  # noqa: S104


def test_the_observability_services_mount_config_files_that_exist_and_parse(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in OBSERVABILITY:
        for volume in services[name].get("volumes", []):
            source = CHECKOUT / volume.split(":")[0]
            assert source.exists(), f"{name}: {source} is missing"
            for path in [source] if source.is_file() else source.rglob("*.*"):
                text = path.read_text()
                parsed = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
                assert parsed, path


def test_the_dashboard_has_a_query_for_each_figure_an_operator_watches() -> None:
    dashboard = json.loads((CHECKOUT / "deploy/grafana/dashboards/commerce.json").read_text())
    queries = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])

    for metric in (
        "commerce_requests_total",
        "commerce_request_duration_seconds_bucket",
        "commerce_checkouts_total",
        "commerce_outbox_backlog_events",
        "commerce_projection_lag_seconds_bucket",
        "commerce_dead_letters",
    ):
        assert metric in queries


def _persistence(argv: list[str]) -> dict[str, str]:
    flags = {"--save", "--appendonly", "--appendfsync"}
    return {flag: argv[i + 1] for i, flag in enumerate(argv[:-1]) if flag in flags}


def _dockerfile_cmd(dockerfile: str) -> list[str]:
    (line,) = re.findall(r"^CMD (.+)$", dockerfile, re.MULTILINE)
    parsed = yaml.safe_load(line)
    return parsed if isinstance(parsed, list) else shlex.split(line)
