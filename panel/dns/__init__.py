"""DNS: the records a Mailcow domain should publish (records.py) and their live check (check.py)."""
