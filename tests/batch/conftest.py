"""Fixtures for the run_many tests over real HTTP: a fresh sandbox and recorded clients.

The fixtures and the Driver live in tests/client_driver.py, shared with the
other HTTP folders; importing them here makes them fixtures of this folder.
"""

from client_driver import make, mode, sb  # noqa: F401
