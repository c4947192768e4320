"""Moved to tests/support/wire.py. This name stays only while tests/test_simulator.py and
tests/test_simulator_check.py import from it; delete it once they import tests.support.wire."""
from tests.support.wire import *  # noqa: F401,F403
