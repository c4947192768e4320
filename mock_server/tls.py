"""A self-signed certificate for --tls, made at start (trustme), and where it was written."""
from pathlib import Path

import trustme


def make_certificate(directory: Path, hostnames: list[str]) -> tuple[Path, Path, Path]:
    """Write a fresh CA and a server certificate for `hostnames`; return (ca, cert, key) paths."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="Conversational Cloud sandbox")
    server = ca.issue_cert(*hostnames)
    ca_path, cert_path, key_path = (directory / "ca.pem", directory / "server.pem",
                                    directory / "server.key")
    ca.cert_pem.write_to_path(str(ca_path))
    server.private_key_pem.write_to_path(str(key_path))
    # The chain (leaf first, then the CA) lets clients that trust ca.pem verify the server.
    with open(cert_path, "wb") as out:
        for blob in server.cert_chain_pems:
            out.write(blob.bytes())
    return ca_path, cert_path, key_path


def existing_certificate(directory: Path) -> tuple[Path, Path, Path] | None:
    """(ca, cert, key) already in `directory` (what make_certificate wrote), or None: the shards
    of one sandbox serve the one certificate the launcher made, so clients trust one CA."""
    paths = (directory / "ca.pem", directory / "server.pem", directory / "server.key")
    return paths if all(p.is_file() for p in paths) else None
