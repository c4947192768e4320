"""A local, offline mock of LivePerson Conversational Cloud (live chat)."""

# The one place of the version: the build (pyproject.toml, [tool.hatch.version]) reads it, and so
# do both CLIs' --version (python -m mock_server, python -m simulator).
__version__ = "0.1.0"
