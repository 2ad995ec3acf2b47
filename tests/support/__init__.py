"""Helpers for the test suite: emulator and SMTP processes, database, live server, API calls.

Import them as `from tests.support.<module> import ...` (tests/conftest.py puts the repository root
on sys.path).
"""
