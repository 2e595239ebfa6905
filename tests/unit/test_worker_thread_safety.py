"""The worker's threads decode read-model states concurrently from its first batch on.

msgspec 0.22 built a struct type's decoding information lazily and without a lock: threads
decoding a nested struct for the first time together could crash the whole worker process
with a segmentation fault (seen as `Worker ... exited unexpectedly (code -11)` seconds after a
start under a backlog). Each run here is a fresh interpreter, so every decode is a first one.
"""

from __future__ import annotations

import subprocess
import sys

RACE = """
import sys, threading, msgspec
sys.setswitchinterval(1e-6)
from projections.products.document import ProductState, VariantState, StockState
state = ProductState(product_id="p", variants={"A": VariantState(sku="A")},
                     stock={"A": StockState(available=1, version=1)})
raw = msgspec.to_builtins(state)
start = threading.Barrier(8)
def decode():
    start.wait()
    assert msgspec.convert(raw, ProductState) == state
threads = [threading.Thread(target=decode) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
"""


def test_eight_threads_decoding_a_state_for_the_first_time_do_not_crash_the_process() -> None:
    for _ in range(15):  # msgspec 0.22 crashed about one run in three
        finished = subprocess.run(
            [sys.executable, "-c", RACE], check=False, capture_output=True, timeout=60
        )
        assert finished.returncode == 0, finished.stderr.decode()
