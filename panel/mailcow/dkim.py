"""Mailcow DKIM keys: the public half and the TXT record a domain must publish.

Mailcow keeps one key per domain (or alias domain) and has no route listing them all:
`get/dkim/{domain}` is asked once per domain. Reads never carry the private key
(Mailcow sends `privkey: ""` unless told otherwise); the private key of an import is sent
once and never kept or logged by MailApp. Mailcow reports a 3072-bit key as "2048":
it guesses the size from the length of the public key.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_der_public_key

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.wire import as_int, flag

KEY_SIZES = (1024, 2048, 3072, 4096)


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    length: int
    txt: str          # the full TXT value, "v=DKIM1;k=rsa;t=s;s=email;p=..."
    public_key: str

    @property
    def record_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def bits(self) -> int:
        """The real key size, read from the public key (Mailcow's `length` is a guess)."""
        return public_key_bits(self.public_key) or self.length


def public_key_bits(public_key_b64: str) -> int | None:
    try:
        key = load_der_public_key(base64.b64decode(public_key_b64, validate=True))
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm):
        return None
    return getattr(key, "key_size", None)


class DkimApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def get(self, domain: str) -> DkimKey | None:
        """The domain's key, or None when it has none (Mailcow answers `{}`)."""
        data = self.client.get(f"dkim/{domain}")
        if not isinstance(data, dict) or not data.get("dkim_txt"):
            return None
        return DkimKey(domain=domain, selector=data.get("dkim_selector") or "dkim",
                       length=as_int(data.get("length")), txt=data["dkim_txt"],
                       public_key=data.get("pubkey") or "")

    def many(self, domains: list[str]) -> dict[str, DkimKey | None]:
        """The keys of these domains, one call each (Mailcow has no list route)."""
        return {domain: self.get(domain) for domain in domains}

    def add(self, domains: list[str], selector: str, key_size: int) -> Outcome:
        return self.client.write("add", "dkim", {"domains": ",".join(domains),
                                                 "dkim_selector": selector,
                                                 "key_size": str(int(key_size))})

    def duplicate(self, from_domain: str, to_domains: list[str]) -> Outcome:
        return self.client.write("add", "dkim_duplicate", {"from_domain": from_domain,
                                                           "to_domain": list(to_domains)})

    def import_key(self, domain: str, selector: str, private_key_pem: str,
                   overwrite: bool = False) -> Outcome:
        """Send a PEM private key; Mailcow derives the public key from it."""
        return self.client.write("add", "dkim_import", {
            "domain": domain, "dkim_selector": selector,
            "private_key_file": private_key_pem, "overwrite_existing": flag(overwrite)})

    def delete(self, domains: list[str]) -> Outcome:
        return self.client.write("delete", "dkim", list(domains))
