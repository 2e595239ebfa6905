"""The stack the tests run in, seen through `commerce stack status` and `env`."""

from click.testing import CliRunner

from commerce.entrypoints.cli import main
from commerce.settings import Settings


def test_status_reports_each_server_running_with_its_pid_or_as_external() -> None:
    result = CliRunner().invoke(main, ["stack", "status"])

    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1] for line in result.output.splitlines()}
    assert set(lines) == {"postgres", "redis", "elasticsearch"}
    assert set(lines.values()) <= {"running", "external"}
    assert all("pid" in line for line in result.output.splitlines() if " running " in line)


def test_env_prints_the_urls_this_process_was_given(stack_settings: Settings) -> None:
    result = CliRunner().invoke(main, ["stack", "env"])

    assert result.exit_code == 0, result.output
    assert f"export COMMERCE_REDIS_URL={stack_settings.redis_url}" in result.output
