"""Engines: each takes the World (or arrays) and a shock and returns a frozen result with diagnostics."""
