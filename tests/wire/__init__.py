"""Over-the-wire tests: the APIs, the live view and the CLI server, by real HTTP against a sandbox."""
