"""How the stack decides which servers to run itself and which the operator provides."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.elasticsearch import HEAP_VARIABLE, ElasticsearchServer
from devstack.layout import Layout
from devstack.manager import Stack
from devstack.system import StackError
from tests.support import free_port

URL_VARIABLES = (
    "COMMERCE_DATABASE_URL",
    "COMMERCE_REDIS_URL",
    "COMMERCE_ELASTICSEARCH_URL",
    "COMMERCE_SMTP_URL",
)
PORT_VARIABLES = tuple(
    f"COMMERCE_STACK_{name}_PORT" for name in ("POSTGRES", "REDIS", "ELASTICSEARCH", "MAIL")
)


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    # `make test` runs inside a fresh stack, which sets these for itself.
    for variable in (*URL_VARIABLES, *PORT_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    return Stack(Layout(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache", run_as=None))


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_without_variables_the_stack_serves_every_role_itself(stack: Stack) -> None:
    assert stack.environment() == {
        "COMMERCE_DATABASE_URL": "postgresql://commerce:commerce@127.0.0.1:55432/commerce",
        "COMMERCE_REDIS_URL": "redis://127.0.0.1:56379/0",
        "COMMERCE_ELASTICSEARCH_URL": "http://127.0.0.1:59200",
        "COMMERCE_SMTP_URL": "smtp://127.0.0.1:51025",
    }
    assert {status.state for status in stack.status()} == {"stopped"}


def test_a_reachable_server_named_by_the_environment_is_used_instead_of_starting_one(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, listening_port: int
) -> None:
    url = f"redis://127.0.0.1:{listening_port}/3"
    monkeypatch.setenv("COMMERCE_REDIS_URL", url)

    assert stack.environment()["COMMERCE_REDIS_URL"] == url
    assert {s.name: s.state for s in stack.status()}["redis"] == "external"


def test_an_unreachable_server_named_by_the_environment_is_an_error_not_a_silent_swap(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMERCE_ELASTICSEARCH_URL", f"http://127.0.0.1:{free_port()}")

    with pytest.raises(StackError, match="COMMERCE_ELASTICSEARCH_URL points at"):
        stack.environment()


def test_the_stacks_own_url_in_the_environment_still_means_the_stack_runs_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMERCE_REDIS_URL", "redis://127.0.0.1:56379/0")

    assert {s.name: s.state for s in stack.status()}["redis"] == "stopped"


def test_ports_can_be_moved_with_stack_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in (*URL_VARIABLES, *PORT_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COMMERCE_STACK_POSTGRES_PORT", "6543")
    stack = Stack(Layout(state_dir=tmp_path, cache_dir=tmp_path, run_as=None))

    assert stack.environment()["COMMERCE_DATABASE_URL"].endswith("@127.0.0.1:6543/commerce")


def _elasticsearch(stack: Stack) -> ElasticsearchServer:
    return next(s for s in stack.servers if isinstance(s, ElasticsearchServer))


def test_elasticsearch_gets_a_heap_of_1g_unless_the_stack_variable_sizes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = Layout(state_dir=tmp_path, cache_dir=tmp_path, run_as=None)
    monkeypatch.delenv(HEAP_VARIABLE, raising=False)
    assert _elasticsearch(Stack(layout)).heap == "1g"

    monkeypatch.setenv(HEAP_VARIABLE, "3G")
    assert _elasticsearch(Stack(layout)).heap == "3g"


@pytest.mark.parametrize("heap", ["", "lots", "1.5g", "0g", "2gb", "-1g"])
def test_a_heap_that_is_not_a_size_is_refused_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, heap: str
) -> None:
    monkeypatch.setenv(HEAP_VARIABLE, heap)

    with pytest.raises(StackError, match=f"{HEAP_VARIABLE}=.* is not a heap size"):
        Stack(Layout(state_dir=tmp_path, cache_dir=tmp_path, run_as=None))
