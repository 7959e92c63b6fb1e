"""DKIM keys per domain: real RSA keys, kept apart from domains as Mailcow keeps them in Redis."""
from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .access import domain_access
from .php import (
    as_array,
    empty,
    htmlspecialchars,
    intval,
    is_valid_domain_name,
    php_string,
    split_list,
)
from .report import Call

INVALID = "dkim_domain_or_sel_invalid"


def _keypair(bits: int) -> tuple[str, str] | None:
    """(base64 DER public key, PEM private key), or None where openssl_pkey_new fails."""
    if not 1024 <= bits <= 8192:
        return None
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return base64.b64encode(public).decode("ascii"), private.decode("ascii").strip()


def _selector_ok(selector: Any) -> bool:
    text = php_string(selector)
    for ch in "-_.":
        text = text.replace(ch, "")
    return text.isascii() and text.isalnum()


def exists(call: Call, domain: str) -> bool:
    row = call.conn.execute("SELECT 1 FROM dkim WHERE domain = ?", (domain,)).fetchone()
    return row is not None


def add(call: Call, data: dict) -> None:
    """dkim('add'): one key per listed domain; the log echoes `data` as given."""
    log = ["dkim", "add", data]
    bits = intval(data.get("key_size"))
    selector = data["dkim_selector"] if data.get("dkim_selector") is not None else "dkim"
    for domain in [d for d in split_list(data.get("domains")) if not empty(d)]:
        if not is_valid_domain_name(domain) or exists(call, domain) or not _selector_ok(selector):
            call.danger(log, [INVALID, domain])
            continue
        if not domain_access(call, domain):
            call.danger(log, ["access_denied", domain])
            continue
        pair = _keypair(bits)
        if pair is None:
            call.danger(log, [INVALID, domain])
            continue
        call.conn.execute(
            "INSERT INTO dkim (domain, selector, pubkey, privkey) VALUES (?, ?, ?, ?)",
            (domain, php_string(selector), *pair))
        call.success(log, ["dkim_added", domain])


def details(call: Call, domain: Any) -> dict:
    if not call.admin:
        return {}
    row = call.conn.execute("SELECT selector, pubkey FROM dkim WHERE domain = ?",
                            (php_string(domain),)).fetchone()
    if row is None:
        return {}
    pubkey = row["pubkey"]
    # Mailcow guesses the key size from the base64 length; 3072-bit keys read as "2048".
    size = len(pubkey)
    length = ("1024" if size < 391 else "2048" if size < 736 else "4096" if size < 1416
              else ">= 8192")
    return {"pubkey": pubkey, "length": length,
            "dkim_txt": "v=DKIM1;k=rsa;t=s;s=email;p=" + pubkey,
            "dkim_selector": row["selector"], "privkey": ""}


def delete(call: Call, data: dict) -> bool:
    log = ["dkim", "delete", data]
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    for domain in as_array(data.get("domains")):
        if not is_valid_domain_name(domain):
            call.danger(log, [INVALID, domain])
            continue
        call.conn.execute("DELETE FROM dkim WHERE domain = ?", (php_string(domain),))
        call.success(log, ["dkim_removed", htmlspecialchars(domain)])
    return True


def duplicate(call: Call, data: dict) -> bool:
    log = ["dkim", "duplicate", data]
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    source = data.get("from_domain")
    row = call.conn.execute("SELECT selector, pubkey, privkey FROM dkim WHERE domain = ?",
                            (php_string(source),)).fetchone()
    if row is None:
        call.danger(log, [INVALID, source])
        return False
    for target in [t for t in as_array(data.get("to_domain")) if not empty(t)]:
        call.conn.execute(
            "INSERT INTO dkim (domain, selector, pubkey, privkey) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (domain) DO UPDATE SET selector = excluded.selector,"
            " pubkey = excluded.pubkey, privkey = excluded.privkey",
            (php_string(target), row["selector"], row["pubkey"], row["privkey"]))
        call.success(log, ["dkim_duplicated", source, target])
    return True


def _public_of(private_pem: str) -> str | None:
    """The base64 DER public key of a PEM private key, or None where OpenSSL fails."""
    try:
        key = serialization.load_pem_private_key(private_pem.encode("utf-8"), password=None)
    except (ValueError, TypeError, UnicodeError):
        return None
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(public).decode("ascii")


# What openssl_error_string() reports for text that is no readable private key.
OPENSSL_DECODE_ERROR = "error:1E08010C:DECODER routines::unsupported"


def import_key(call: Call, data: dict) -> bool:
    """dkim('import'): any existing key of the domain is deleted first (its own message)."""
    log = ["dkim", "import", data]
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    private = php_string(data.get("private_key_file")).strip()
    overwrite = intval(data.get("overwrite_existing"))
    normalized = private.replace("\r\n", "\n").replace("\r", "\n")
    pubkey = _public_of(normalized)
    if pubkey is None:
        call.danger(log, ["private_key_error", OPENSSL_DECODE_ERROR])
        return False
    selector = data["dkim_selector"] if data.get("dkim_selector") is not None else "dkim"
    domain = data.get("domain")
    if not is_valid_domain_name(domain):
        call.danger(log, [INVALID, domain])
        return False
    if exists(call, php_string(domain)) and overwrite == 0:
        call.danger(log, ["dkim_domain_or_sel_exists", domain])
        return False
    if not _selector_ok(selector):
        call.danger(log, [INVALID, domain])
        return False
    delete(call, {"domains": domain})
    call.conn.execute(
        "INSERT INTO dkim (domain, selector, pubkey, privkey) VALUES (?, ?, ?, ?)",
        (php_string(domain), php_string(selector), pubkey, normalized))
    call.success(log, ["dkim_added", domain])
    return True
