"""Browser tests: the pages in headless Chromium (Playwright), fixtures in tests/conftest.py."""
