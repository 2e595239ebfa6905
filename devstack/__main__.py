"""`python -m devstack up|down|status|env|run`, from the checkout (not part of the wheel)."""

from devstack.cli import stack

stack(prog_name="python -m devstack")
