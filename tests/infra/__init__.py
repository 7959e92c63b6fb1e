"""Real infrastructure for the tests: a private Docker engine with Mailcow-like containers."""
