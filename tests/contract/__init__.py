"""Contract tests: the sandbox and Mailcow must answer alike."""
