"""DNS: the records a Mailcow domain should publish, and (later) their live check."""
