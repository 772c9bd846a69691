"""``python -m flask_portal`` (``make demo``): the web app on SQLite with demo data.

With no configuration at all, the first run creates ``.demo/portal.db`` with demo data and
a secret key; later runs reuse them (``--fresh`` starts over). Mail and SMS are printed on
the console and listed on /dev/berichten. The outbox dispatcher runs beside the web server.

The settings come from ``onzecoach.configuration.read_configuration``, as for the ``onzecoach``
command and its outbox workers: ``--config FILE`` (or ``ONZECOACH_CONFIG``) and
``ONZECOACH_*`` variables, which win. What they leave unset the demo supplies: ``base_url``
from ``--host`` and ``--port``, ``secret_key`` from the folder's ``secret_key`` file and,
without a ``database_url``, the folder's demo database.

``python -m flask_portal seed`` fills the configured database, which must be empty, with
demo data and prints the logins, without serving.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from werkzeug.serving import make_server

from flask_portal import create_app
from flask_portal.demo import DemoLogin, seed
from onzecoach import OnzecoachError, Portal, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.console import ConsoleMailer, ConsoleSms
from onzecoach.adapters.sql import SqlStorage
from onzecoach.configuration import Configuration, ConfigurationError, read_configuration

#: Exit codes, as the ``onzecoach`` command has them.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def settings_for(configuration: Configuration, folder: Path, url: str) -> Settings:
    """The configured settings, with the demo's ``base_url`` and key where none is set."""
    fallbacks: dict[str, object] = {"base_url": url}
    if configuration.get("secret_key") is None:
        fallbacks["secret_key"] = _demo_key(folder)
    return configuration.settings(**fallbacks)


def public_host(host: str) -> str:
    """The host the demo's links name: ``localhost`` for this machine's own addresses.

    Browsers offer security keys and passkeys (WebAuthn) over plain http on ``localhost``
    only, not on ``127.0.0.1``; the server still binds ``--host``.
    """
    return "localhost" if host in {"127.0.0.1", "::1", "0.0.0.0", "::", ""} else host  # noqa: S104


def _demo_key(folder: Path) -> str:
    key_file = folder / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _dispatch(portal: Portal, stop: threading.Event) -> None:
    while not stop.wait(2.0):
        try:
            portal.outbox.dispatch_due()
        except Exception:  # keep the demo running; the outbox retries what failed
            logging.getLogger(__name__).exception("outbox dispatch failed")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m flask_portal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    config_help = "a TOML configuration file (or ONZECOACH_CONFIG); ONZECOACH_* variables win"
    parser.add_argument("--config", type=Path, help=config_help)
    parser.add_argument("--folder", type=Path, default=Path(".demo"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--fresh", action="store_true", help="throw the demo data away first")
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--appointments", type=int, default=10_000)
    commands = parser.add_subparsers(dest="command", metavar="seed")
    seeding = commands.add_parser(
        "seed",
        help="fill the configured database (database_url), which must be empty, with demo "
        "data and print the logins",
    )
    # SUPPRESS: given before `seed`, the options keep their value instead of the default.
    seeding.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
    seeding.add_argument("--employees", type=int, default=argparse.SUPPRESS)
    seeding.add_argument("--appointments", type=int, default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        configuration = read_configuration(args.config, environ)
        if args.command == "seed":
            return _seed(configuration, employees=args.employees, appointments=args.appointments)
        return _serve(configuration, args)
    except ConfigurationError as exc:
        print(f"Configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _storage(url: str) -> SqlStorage:
    try:
        return SqlStorage(url)
    except OnzecoachError as exc:  # the message masks a password in the URL
        raise ConfigurationError(f"database_url: {exc}") from None


def _seed(configuration: Configuration, *, employees: int, appointments: int) -> int:
    """What ``onzecoach demo seed`` did before the demo moved out of the installed package."""
    settings = configuration.settings()
    storage = _storage(configuration.require("database_url"))
    try:
        storage.upgrade()
        portal = Portal(storage=storage, mailer=ConsoleMailer(), settings=settings)
        if portal.admin.employers(SERVICE_DESK):
            print("The database is not empty: the demo data goes only into an empty one.")
            return EXIT_FAILED
        logins = seed(storage, settings, employees=employees, appointments=appointments)
    except OnzecoachError as exc:
        print(str(exc) or type(exc).__name__, file=sys.stderr)
        return EXIT_FAILED
    finally:
        storage.close()
    print("Demo logins:\n" + "\n".join(_describe(login) for login in logins))
    return EXIT_OK


def _serve(configuration: Configuration, args: argparse.Namespace) -> int:
    if args.fresh and args.folder.exists():
        shutil.rmtree(args.folder)
    args.folder.mkdir(parents=True, exist_ok=True)
    url = f"http://{public_host(args.host)}:{args.port}"
    settings = settings_for(configuration, args.folder, url)
    database_url = configuration.get("database_url")
    if database_url is None:
        database_url = f"sqlite:///{args.folder / 'portal.db'}"
        logins = _demo_database(args.folder, settings, args.employees, args.appointments)
    else:
        logins = "  (de geconfigureerde database; demodata: python -m flask_portal seed)\n"
    storage = _storage(database_url)
    storage.upgrade()
    mailer, sms = ConsoleMailer(), ConsoleSms()
    portal = Portal(storage=storage, mailer=mailer, sms=sms, settings=settings)
    app = create_app(portal, development=True, mailbox=mailer, sms_box=sms)
    stop = threading.Event()
    worker = threading.Thread(target=_dispatch, args=(portal, stop), daemon=True)
    worker.start()
    server = make_server(args.host, args.port, app, threaded=True)
    print(
        f"\nOnzeCoach Portaal draait op {url}/inloggen\n"
        f"Demo-inloggegevens (de SMS-code verschijnt hier en op {url}/dev/berichten):\n" + logins,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        storage.close()
    return EXIT_OK


def _demo_database(folder: Path, settings: Settings, employees: int, appointments: int) -> str:
    """The folder's demo database, made on the first run; the logins, as printed."""
    database = folder / "portal.db"
    logins_file = folder / "logins.txt"
    if not logins_file.exists():
        # Made aside and moved in when complete: an interrupted first run starts over.
        print("Demodata aanmaken (eenmalig, ongeveer een minuut)...", flush=True)
        started = time.monotonic()
        partial = folder / "portal.db.partial"
        partial.unlink(missing_ok=True)
        making = SqlStorage(f"sqlite:///{partial}")
        making.upgrade()
        logins = seed(making, settings, employees=employees, appointments=appointments)
        making.close()
        for stale in folder.glob("portal.db*"):
            if stale != partial:
                stale.unlink()
        partial.rename(database)
        logins_file.write_text("\n".join(_describe(login) for login in logins) + "\n")
        print(f"Klaar in {time.monotonic() - started:.0f} s.", flush=True)
    return logins_file.read_text()


def _describe(login: DemoLogin) -> str:
    codes = ", ".join(login.backup_codes)
    return (
        f"  {login.role:<14} inlognaam {login.username:<22} wachtwoord {login.password}"
        f"  (tweede stap: {login.factor}; back-up codes, elk één keer te gebruiken: {codes})"
    )


if __name__ == "__main__":
    sys.exit(main())
