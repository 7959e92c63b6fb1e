"""Mailcow DKIM keys: the public half and the TXT record a domain must publish."""
from __future__ import annotations

from dataclasses import dataclass

from panel.mailcow.client import MailcowClient
from panel.mailcow.wire import as_int


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
