"""cnk: the command-line tool (staff tokens, key pairs, deployment secrets, the local stack)."""

from __future__ import annotations

import argparse
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import msgspec

from cnk import devstack, envfile, keyfile, proxy, staff
from shared.auth import ALL_EVENTS, ROLES, generate_keypair, issue_token

_DURATION = re.compile(r"^(\d+)([smhd]?)$")


def duration(text: str) -> int:
    match = _DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 12h, 7d, 3600)")
    value, unit = int(match[1]), match[2] or "s"
    return value * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


def cmd_token(args: argparse.Namespace) -> int:
    if not args.event and not args.all_events:
        print("cnk token: give --event SLUG (repeatable) or --all-events", file=sys.stderr)
        return 2
    max_days = int(os.environ.get("STAFF_TOKEN_MAX_DAYS") or 30)
    if args.ttl > max_days * 86400:
        print(
            f"cnk token: the services accept tokens of at most {max_days} days"
            " (STAFF_TOKEN_MAX_DAYS)",
            file=sys.stderr,
        )
        return 2
    try:
        private = keyfile.private_key()
    except keyfile.NoSigningKey as e:
        print(f"cnk token: {e}", file=sys.stderr)
        return 2
    token, claims = issue_token(
        private,
        role=args.role,
        events=["*"] if args.all_events else args.event,
        subject=args.name,
        ttl_seconds=args.ttl,
        gate=args.gate,
    )
    print(token)
    print(
        f"token id: {claims.jti}  role: {claims.role}  events: {', '.join(claims.events)}"
        f"  expires: {claims.exp}",
        file=sys.stderr,
    )
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    private, public = generate_keypair()
    print(f"STAFF_TOKEN_PRIVATE_KEY={private}")
    print(f"STAFF_TOKEN_PUBLIC_KEY={public}")
    return 0


def cmd_secrets(args: argparse.Namespace) -> int:
    """A deployment's secrets: its env file, and the staff private key in a file of its own."""
    env_file, key_file = Path(args.env_file), Path(args.key_file)
    for path in (env_file, key_file):
        if path.exists() and not args.force:
            print(f"cnk secrets: {path} exists; --force replaces it", file=sys.stderr)
            return 1
    try:
        smtp_url = envfile.check_smtp_url(args.smtp_url) if args.smtp_url else ""
        private, public = generate_keypair()
        if args.kubernetes:
            text = envfile.kubernetes_env(smtp_url, public)
        elif args.domain and args.email:
            domain = envfile.check_domain(args.domain)
            email = envfile.check_email(args.email)
            text = envfile.compose_env(domain, email, smtp_url, public)
        else:
            raise envfile.BadValue("give --domain and --email (or --kubernetes)")
    except envfile.BadValue as e:
        print(f"cnk secrets: {e}", file=sys.stderr)
        return 2
    envfile.write_private(env_file, text)
    envfile.write_private(key_file, private + "\n")
    print(f"wrote {env_file} (mode 600)" + ("" if smtp_url else "; SMTP_URL is still to fill in"))
    print(
        f"wrote {key_file} (mode 600): the staff token private key, for `cnk token` only."
        " Keep it in a safe place, off the server (STAFF_TOKEN_PRIVATE_KEY_FILE names it)."
    )
    return 0


class CommandFailed(Exception):
    """What to print on stderr, and the exit status."""

    def __init__(self, message: str, status: int = 1, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.lines = lines or []


def call_as_organizer(
    command: str,
    url: str,
    event: str,
    path: str,
    body: bytes | None,
    content_type: str = "application/json",
) -> Any:
    """POST ``body`` (GET for None) to ``url + path`` with a 10-minute organizer token for
    ``event`` (``*``: every event), minted with the staff signing key; the decoded answer,
    or CommandFailed."""
    try:
        private = keyfile.private_key()
    except keyfile.NoSigningKey as e:
        raise CommandFailed(str(e), status=2) from None
    token, _ = issue_token(
        private, role="organizer", events=[event], subject=f"cnk {command}", ttl_seconds=600
    )
    request = urllib.request.Request(
        f"{url.rstrip('/')}{path}",
        data=body,
        method="GET" if body is None else "POST",
        headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return msgspec.json.decode(response.read())
    except urllib.error.HTTPError as e:
        problem = msgspec.json.decode(e.read() or b"{}")
        raise CommandFailed(
            str(problem.get("detail", e.reason)),
            lines=[f"line {row['line']}: {row['error']}" for row in problem.get("rows", [])],
        ) from None
    except urllib.error.URLError as e:
        raise CommandFailed(f"cannot reach {url}: {e.reason}") from None


def _failed(command: str, e: CommandFailed, prefix: str = "") -> int:
    print(f"cnk {command}: {prefix}{e}", file=sys.stderr)
    for line in e.lines:
        print(f"  {line}", file=sys.stderr)
    return e.status


def cmd_import(args: argparse.Namespace) -> int:
    try:
        body = open(args.file, "rb").read()  # noqa: SIM115
    except OSError as e:
        print(f"cnk import: {e}", file=sys.stderr)
        return 2
    path = f"/api/v1/events/{args.event}/registrations/import"
    try:
        result = call_as_organizer("import", args.url, args.event, path, body, "text/csv")
    except CommandFailed as e:
        return _failed("import", e, "" if e.status == 2 else "nothing imported: ")
    print(
        f"imported {result['imported']} attendees into {args.event}:"
        f" {result['confirmed']} confirmed, {result['waitlisted']} waitlisted"
    )
    return 0


def cmd_certificates_send(args: argparse.Namespace) -> int:
    path = f"/api/v1/events/{args.event}/certificates/send"
    body = msgspec.json.encode({"session": args.session})
    try:
        result = call_as_organizer(
            "certificates", args.url, args.event, path, body, "application/json"
        )
    except CommandFailed as e:
        return _failed("certificates", e)
    what = args.event + (f", session {args.session}" if args.session else "")
    print(
        f"certificates for {what}: {result['attended']} attended, {result['issued']} newly"
        f" issued, {result['announced']} emailed now, {result['already_sent']} emailed before"
    )
    return 0


def _key_line(key: dict[str, Any]) -> str:
    state = f"retired {key['retired_at']}" if key["retired_at"] else "verifying"
    return f"key {key['id']}  {key['algorithm']}  created {key['created_at']}  {state}"


def cmd_keys(args: argparse.Namespace) -> int:
    """Ticket signing keys: list, rotate (a new key signs from now on), retire (its codes
    are refused at the door from now on)."""
    command = f"keys {args.keys_command}"
    try:
        if args.keys_command == "list":
            keys = call_as_organizer(command, args.url, ALL_EVENTS, "/api/v1/keys", None)["keys"]
            signing = max((k["id"] for k in keys if not k["retired_at"]), default=None)
            for key in keys:
                print(_key_line(key) + ("  (signs new tickets)" if key["id"] == signing else ""))
        elif args.keys_command == "rotate":
            key = call_as_organizer(command, args.url, ALL_EVENTS, "/api/v1/keys", b"")
            print(f"{_key_line(key)}: signs every ticket issued from now on; older keys keep")
            print("verifying their tickets until retired (cnk keys retire ID).")
        else:
            path = f"/api/v1/keys/{args.key_id}/retire"
            key = call_as_organizer(command, args.url, ALL_EVENTS, path, b"")
            count = key["reissuing"]
            print(f"{_key_line(key)}: codes signed with it are refused at the door from now on")
            print(
                f"(they scan as invalid). {count} valid ticket{'' if count == 1 else 's'}"
                f" signed with it get{'s' if count == 1 else ''} a new code now, emailed to"
                f" {'its holder' if count == 1 else 'their holders'}."
            )
    except CommandFailed as e:
        return _failed(command, e)
    return 0


def cmd_routes(args: argparse.Namespace) -> int:
    print(proxy.route_table_text())
    return 0


def cmd_proxy(args: argparse.Namespace) -> int:
    if args.write:
        for path in proxy.write_files():
            print(f"wrote {path}")
        return 0
    stale = proxy.stale_files()
    for path in stale:
        print(
            f"cnk proxy: {path} is not what the route tables generate; run `cnk proxy --write`",
            file=sys.stderr,
        )
    return 1 if stale else 0


def cmd_staff(args: argparse.Namespace) -> int:
    return staff.cmd_staff_add(args.email, args.role, args.event, args.name, args.language)


def cmd_dev(args: argparse.Namespace) -> int:
    return devstack.main()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cnk", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    token = sub.add_parser("token", help="issue a staff token")
    token.add_argument("--role", choices=["organizer", "door"], required=True)
    token.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="SLUG",
        help="an event the token covers (repeatable)",
    )
    token.add_argument("--all-events", action="store_true", help="cover every event")
    token.add_argument(
        "--ttl",
        type=duration,
        default=duration("24h"),
        help="lifetime, e.g. 12h or 7d (default 24h)",
    )
    token.add_argument("--gate", help="limit a door token to one gate")
    token.add_argument("--name", default="staff", help="who the token is for (logged)")
    token.set_defaults(run=cmd_token)

    keygen = sub.add_parser("keygen", help="print a new staff token key pair")
    keygen.set_defaults(run=cmd_keygen)

    secret = sub.add_parser(
        "secrets", help="write a deployment's secrets: an env file and the staff private key"
    )
    secret.add_argument("--domain", help="the site's host name, e.g. events.example.org")
    secret.add_argument("--email", help="contact for the site's certificates (ACME)")
    secret.add_argument("--smtp-url", help="the mail relay: smtp://user:password@host:587...")
    secret.add_argument(
        "--kubernetes", action="store_true", help="write deploy/k8s/secrets.env's form instead"
    )
    secret.add_argument("--env-file", default=".env", help="default .env")
    secret.add_argument("--key-file", default="staff-token.key", help="default staff-token.key")
    secret.add_argument("--force", action="store_true", help="replace files that exist")
    secret.set_defaults(run=cmd_secrets)

    imp = sub.add_parser(
        "import",
        help="register the attendees of a CSV file (name,email[,lang,organization,"
        "country,role]); all rows or none",
    )
    imp.add_argument("--event", required=True, metavar="SLUG")
    imp.add_argument("--url", default=os.environ.get("REGISTRATION_URL", "http://localhost:8081"))
    imp.add_argument("file")
    imp.set_defaults(run=cmd_import)

    certs = sub.add_parser("certificates", help="certificates of attendance")
    certs_sub = certs.add_subparsers(dest="certificates_command", required=True)
    send = certs_sub.add_parser(
        "send", help="issue certificates to everyone who attended and email each one once"
    )
    send.add_argument("--event", required=True, metavar="SLUG")
    send.add_argument("--session", metavar="SLUG", help="a session's certificates instead")
    send.add_argument("--url", default=os.environ.get("CHECKIN_URL", "http://localhost:8083"))
    send.set_defaults(run=cmd_certificates_send)

    keys = sub.add_parser("keys", help="ticket signing keys: list, rotate, retire")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    tickets_url = os.environ.get("TICKETS_URL", "http://localhost:8082")
    for name, text in (
        ("list", "every key, and which one signs new tickets"),
        ("rotate", "add a key that signs every ticket issued from now on"),
        ("retire", "stop a key verifying: the door refuses its tickets from now on"),
    ):
        each = keys_sub.add_parser(name, help=text)
        if name == "retire":
            each.add_argument("key_id", type=int, metavar="ID")
        each.add_argument("--url", default=tickets_url)
        each.set_defaults(run=cmd_keys)

    routes = sub.add_parser("routes", help="every public route: method, path, service, who")
    routes.set_defaults(run=cmd_routes)

    prox = sub.add_parser(
        "proxy", help="check (or --write) the Caddyfiles generated from the route tables"
    )
    prox.add_argument("--write", action="store_true", help="write deploy/Caddyfile and k8s/")
    prox.set_defaults(run=cmd_proxy)

    people = sub.add_parser("staff", help="the back office's staff accounts")
    people_sub = people.add_subparsers(dest="staff_command", required=True)
    add = people_sub.add_parser(
        "add", help="add a person with a role, or the role to a person already there"
    )
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--event", metavar="SLUG", help="the role for this event only")
    add.add_argument("--name", help="the person's name (default: the address's first part)")
    add.add_argument("--language", choices=["pl", "en"], default="pl", help="default pl")
    add.set_defaults(run=cmd_staff)

    dev = sub.add_parser("dev", help="run the whole system locally (what `make run` does)")
    dev.set_defaults(run=cmd_dev)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
