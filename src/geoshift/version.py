"""The package version (one place; the store's code key and the CLI read it)."""

__version__ = "0.1.0"
