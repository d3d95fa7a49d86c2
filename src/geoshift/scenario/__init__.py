"""Scenarios: selectors and pure functions that turn shocks into engine inputs."""
