"""An emulator per test (tiny processing times), and the zygote that forks CLI runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from threadsync.emulator import Emulator

from .support import FAST_PROCESSING, start_shared_zygote, stop_shared_zygote


@pytest.fixture(scope="session", autouse=True)
def _zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    start_shared_zygote(tmp_path_factory.mktemp("runs"))
    try:
        yield
    finally:
        stop_shared_zygote()


@pytest.fixture
def emu() -> Iterator[Emulator]:
    emulator = Emulator(processing=FAST_PROCESSING)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.release_stalls()
        emulator.clear_faults()
        emulator.stop()
