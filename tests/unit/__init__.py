"""Unit tests of mock_server/model and the wire formats: no HTTP, no sandbox server."""
