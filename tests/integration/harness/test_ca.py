"""A throw-away certificate authority for TLS tests, made with the openssl CLI.

TestCA(directory) creates, in `directory` (a fresh temp dir when None), a CA
key and self-signed CA certificate; issue() signs leaf certificates whose
subjectAltName carries the given DNS names and IP addresses (and whose CN is
the first name). Keys are EC P-256 (fast to make) unless key="rsa".

    from harness.test_ca import TestCA

    ca = TestCA(tmp_path)                                   # or: with TestCA() as ca:
    cert, key = ca.issue("mx.tls.test", ips=["127.0.0.5"])  # paths (PEM)
    ca.ca_path                                              # CA certificate (PEM), the trust anchor
    ctx = ca.client_context()                               # ssl.SSLContext trusting only this CA

Certificates that must fail verification:
    ca.issue("mx.tls.test", expired=True)   # notBefore/notAfter in the past
    TestCA().issue(...)                     # another CA: not trusted by this one's ca_path
    ca.self_signed("mx.tls.test")           # self-signed leaf, no CA at all

Files are named after the first name (plus a counter if it repeats) so
several certificates can live in one directory. Failures raise CAError with
openssl's output.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import threading

__all__ = ["TestCA", "CAError"]


class CAError(RuntimeError):
    pass


def _openssl(*args: str, cwd: str | None = None) -> str:
    exe = shutil.which("openssl") or "/usr/bin/openssl"
    proc = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise CAError(f"openssl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def _key_args(key: str) -> list[str]:
    if key == "ec":
        return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    if key == "rsa":
        return ["-newkey", "rsa:2048"]
    raise ValueError(f"key must be 'ec' or 'rsa', not {key!r}")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "cert"


class TestCA:
    """A CA in `directory` (created if missing; a temp dir removed by
    cleanup() when None)."""

    __test__ = False  # not a pytest test class despite the name

    def __init__(self, directory: str | os.PathLike | None = None, name: str = "Impulse Test CA",
                 key: str = "ec", days: int = 3650):
        self._own_dir = directory is None
        self.dir = tempfile.mkdtemp(prefix="impulse-ca-") if directory is None else os.fspath(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.name = name
        self.key_type = key
        self._lock = threading.Lock()
        self._used: set[str] = set()
        base = _safe(name)
        self.ca_key_path = os.path.join(self.dir, f"{base}.ca.key")
        self.ca_path = os.path.join(self.dir, f"{base}.ca.pem")
        n = 1
        while os.path.exists(self.ca_path):  # a second CA in the same directory
            n += 1
            self.ca_key_path = os.path.join(self.dir, f"{base}-{n}.ca.key")
            self.ca_path = os.path.join(self.dir, f"{base}-{n}.ca.pem")
        _openssl("req", "-x509", *_key_args(key), "-nodes", "-sha256", "-days", str(days),
                 "-keyout", self.ca_key_path, "-out", self.ca_path,
                 "-subj", "/O=Impulse tests/CN=" + name.replace("/", "\\/"),
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 "-addext", "subjectKeyIdentifier=hash")
        os.chmod(self.ca_key_path, 0o600)

    # context manager: removes an own temp dir
    def __enter__(self) -> "TestCA":
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def client_context(self, check_hostname: bool = True) -> ssl.SSLContext:
        """An SSLContext (client side) that trusts only this CA."""
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_path)
        ctx.check_hostname = check_hostname
        return ctx

    def _stem(self, name: str) -> str:
        with self._lock:
            stem, n = _safe(name), 1
            while stem in self._used or os.path.exists(os.path.join(self.dir, stem + ".pem")):
                n += 1
                stem = f"{_safe(name)}-{n}"
            self._used.add(stem)
            return os.path.join(self.dir, stem)

    @staticmethod
    def _san(names, ips) -> str:
        entries = [f"DNS:{n}" for n in names]
        entries += [f"IP:{ipaddress.ip_address(ip)}" for ip in ips]
        if not entries:
            raise ValueError("a certificate needs at least one name or IP address")
        return "subjectAltName=" + ",".join(entries)

    def issue(self, *names: str, ips=(), days: int = 825, expired: bool = False,
              client: bool = False, key: str | None = None) -> tuple[str, str]:
        """Sign a leaf certificate for DNS `names` and IP addresses `ips`
        (subjectAltName; CN = the first name or IP). Returns (cert_path,
        key_path), PEM, key unencrypted. expired=True: valid from 30 days ago
        until yesterday. client=True adds clientAuth to the extended key usage."""
        names = [n.rstrip(".") for n in names]
        ips = [str(ip) for ip in ips]
        stem = self._stem(names[0] if names else ips[0] if ips else "cert")
        cert_path, key_path, csr_path = stem + ".pem", stem + ".key", stem + ".csr"
        ext_path = stem + ".ext"
        cn = (names[0] if names else ips[0]).replace("/", "\\/")
        _openssl("req", "-new", *_key_args(key or self.key_type), "-nodes", "-sha256",
                 "-keyout", key_path, "-out", csr_path, "-subj", f"/O=Impulse tests/CN={cn}")
        os.chmod(key_path, 0o600)
        eku = "serverAuth,clientAuth" if client else "serverAuth"
        with open(ext_path, "w") as fh:
            fh.write("basicConstraints=critical,CA:FALSE\n"
                     "keyUsage=critical,digitalSignature,keyEncipherment\n"
                     f"extendedKeyUsage={eku}\n"
                     "subjectKeyIdentifier=hash\n"
                     "authorityKeyIdentifier=keyid\n"
                     f"{self._san(names, ips)}\n")
        with self._lock:
            self._sign(csr_path, ext_path, cert_path, days, expired)
        for p in (csr_path, ext_path):
            os.unlink(p)
        return cert_path, key_path

    def _sign(self, csr_path, ext_path, cert_path, days, expired) -> None:
        if expired:
            self._sign_with_dates(csr_path, ext_path, cert_path,
                                  datetime.timedelta(days=-30), datetime.timedelta(days=-1))
        else:
            _openssl("x509", "-req", "-in", csr_path, "-CA", self.ca_path, "-CAkey", self.ca_key_path,
                     "-CAcreateserial", "-CAserial", os.path.join(self.dir, "serial.srl"),
                     "-sha256", "-days", str(days), "-extfile", ext_path, "-out", cert_path)

    def _sign_with_dates(self, csr_path, ext_path, cert_path, start: datetime.timedelta,
                         end: datetime.timedelta) -> None:
        # `openssl x509 -req` (3.0) only has -days; `openssl ca` takes explicit dates.
        now = datetime.datetime.now(datetime.timezone.utc)
        fmt = "%Y%m%d%H%M%SZ"
        db = os.path.join(self.dir, "ca-db")
        os.makedirs(db, exist_ok=True)
        index = os.path.join(db, "index.txt")
        if not os.path.exists(index):
            open(index, "w").close()
        conf = os.path.join(db, "ca.cnf")
        with open(conf, "w") as fh:
            fh.write("[ca]\ndefault_ca = test\n"
                     "[test]\n"
                     f"dir = {db}\ndatabase = {index}\nnew_certs_dir = {db}\n"
                     f"certificate = {self.ca_path}\nprivate_key = {self.ca_key_path}\n"
                     f"serial = {os.path.join(db, 'serial')}\nrand_serial = yes\n"
                     "default_md = sha256\npolicy = anything\nunique_subject = no\n"
                     "copy_extensions = none\n"
                     "[anything]\nO = optional\nCN = optional\n")
        _openssl("ca", "-batch", "-notext", "-config", conf, "-in", csr_path, "-out", cert_path,
                 "-startdate", (now + start).strftime(fmt), "-enddate", (now + end).strftime(fmt),
                 "-extfile", ext_path)

    def self_signed(self, *names: str, ips=(), days: int = 825) -> tuple[str, str]:
        """A self-signed leaf certificate (issued by no CA): (cert_path, key_path)."""
        names = [n.rstrip(".") for n in names]
        ips = [str(ip) for ip in ips]
        stem = self._stem((names[0] if names else ips[0]) + ".self")
        cert_path, key_path = stem + ".pem", stem + ".key"
        cn = (names[0] if names else ips[0]).replace("/", "\\/")
        _openssl("req", "-x509", *_key_args(self.key_type), "-nodes", "-sha256", "-days", str(days),
                 "-keyout", key_path, "-out", cert_path, "-subj", f"/O=Impulse tests/CN={cn}",
                 "-addext", "basicConstraints=critical,CA:FALSE",
                 "-addext", "extendedKeyUsage=serverAuth",
                 "-addext", self._san(names, ips))
        os.chmod(key_path, 0o600)
        return cert_path, key_path
