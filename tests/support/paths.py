"""Folders of the repository that tests read or write (wherever the test module sits)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"  # data files of the tests (configs)
STATIC = ROOT / "mock_server" / "static"  # the pages and their assets
NODE_MODULES = ROOT / "node_modules"
SHOTS = ROOT / "test-artifacts" / "screenshots"  # git-ignored
