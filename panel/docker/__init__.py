"""The Docker engine adapter: Mailcow's containers, their logs, and commands run inside."""
