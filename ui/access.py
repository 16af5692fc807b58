"""The access file: which logged-in people may use the dashboard, and as which viewer (DESIGN.md
section 6). Pure Python (no streamlit) so every rule is unit-tested on small files.

    # comments and blank lines are allowed
    principal,role,scope
    @kha.org,state,KS                  <- everyone with an address at kha.org
    alice@kha.org,collaborative,       <- one person; beats the domain entry above

An e-mail entry beats a domain entry; a domain entry matches that exact domain only (not its
subdomains), because an association controls its own domain, not every name under it.
"""

import csv
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from etl.config import warehouse_path
from queries.scope import ROLES, Viewer

COLUMNS = ("principal", "role", "scope")
# Deliberately plain: the identity provider has already checked the address; this catches typos
# (a missing @, a space, a lost domain) that would otherwise silently let nobody in.
_DOMAIN = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
_PRINCIPAL = re.compile(rf"(?:[^@\s,]+)?@{_DOMAIN}")
_STATE = re.compile(r"[A-Z]{2}")
_CCN = re.compile(r"[0-9]{2}[0-9A-Z][0-9]{3}")  # as etl/reference.py checks the hospitals file


class AccessFileError(ValueError):
    """The access file is missing or has a bad line; the app serves nothing until it is fixed."""


def path() -> Path:
    explicit = os.environ.get("HTRA_ACCESS_FILE")
    return Path(explicit) if explicit else warehouse_path().parent / "access.csv"


def normalize(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class AccessList:
    emails: dict[str, Viewer]
    domains: dict[str, Viewer]  # "@kha.org" -> viewer

    def lookup(self, email: str | None) -> Viewer | None:
        e = normalize(email or "")
        local, at, domain = e.partition("@")
        if not (local and at and domain) or "@" in domain:
            return None  # not one address: never match a domain entry by accident
        return self.emails.get(e) or self.domains.get("@" + domain)


def load(file: Path | None = None) -> AccessList:
    """Read and validate the access file. Read on every call (it is small) so an edit takes
    effect at the next interaction; parsing is cached on the file's content."""
    file = file or path()
    try:
        text = file.read_bytes().decode("utf-8-sig")  # Excel writes a byte-order mark
    except FileNotFoundError:
        raise AccessFileError(
            f"{file}: no access file. Login is configured, so the app needs one: copy "
            "access.example.csv there (or set HTRA_ACCESS_FILE) and list who may log in."
        ) from None
    except UnicodeDecodeError as exc:
        raise AccessFileError(f"{file}: not UTF-8 text ({exc.reason})") from None
    return _parse(str(file), text)


def lookup(email: str | None, file: Path | None = None) -> Viewer | None:
    return load(file).lookup(email)


@functools.lru_cache(maxsize=8)
def _parse(name: str, text: str) -> AccessList:
    emails: dict[str, Viewer] = {}
    domains: dict[str, Viewer] = {}
    seen: dict[str, int] = {}
    header = False
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        where = f"{name} line {no}"
        if not header:
            if [c.lower() for c in cells] != list(COLUMNS):
                raise _error(where, None, "the header " + ",".join(COLUMNS), line.strip())
            header = True
            continue
        if len(cells) == 2:
            cells.append("")  # "@kha.org,collaborative" without the trailing comma
        if len(cells) != 3:
            expected = "3 columns principal,role,scope (quote a scope containing a comma)"
            raise _error(where, None, expected, line.strip())
        principal, role, scope = normalize(cells[0]), cells[1].lower(), cells[2]
        if not _PRINCIPAL.fullmatch(principal):
            expected = "an e-mail address (alice@kha.org) or a domain (@kha.org)"
            raise _error(where, "principal", expected, cells[0])
        if principal in seen:
            raise AccessFileError(
                f"{where}, column principal: {cells[0]!r} is already listed on line "
                f"{seen[principal]}; each address or domain may appear once"
            )
        if role not in ROLES:
            raise _error(where, "role", "one of " + ", ".join(ROLES), cells[1])
        viewer = Viewer(role, _scope(where, role, scope))
        seen[principal] = no
        (domains if principal.startswith("@") else emails)[principal] = viewer
    if not header:
        raise AccessFileError(f"{name}: no header line; expected " + ",".join(COLUMNS))
    return AccessList(emails, domains)


def _error(where: str, column: str | None, expected: str, got: str) -> AccessFileError:
    column = f", column {column}" if column else ""
    return AccessFileError(f"{where}{column}: expected {expected}; got {got!r}")


def _scope(where: str, role: str, scope: str) -> str | None:
    if role == "collaborative":
        if scope:
            raise _error(
                where, "scope", "no scope for collaborative (it sees every hospital)", scope
            )
        return None
    if role == "state":
        if not _STATE.fullmatch(scope.upper()):
            raise _error(where, "scope", "a two-letter state code such as KS", scope)
        return scope.upper()
    if role == "hospital" and not _CCN.fullmatch(scope):
        raise _error(
            where, "scope", "a 6-character CCN such as 260478 (Excel drops leading zeros)", scope
        )
    if not scope:
        raise _error(where, "scope", "the health system's name as in the membership file", scope)
    return scope
