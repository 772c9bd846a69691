"""``python -m flask_portal`` (``make demo``): the web app on SQLite with demo data.

The first run creates ``.demo/portal.db`` with demo data and a secret key; later runs
reuse them (``--fresh`` starts over). Mail and SMS are printed on the console and listed
on /dev/berichten. The outbox dispatcher runs beside the web server.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import shutil
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from flask_portal import create_app
from flask_portal.demo import DemoLogin, seed
from onzecoach import Portal, Settings
from onzecoach.adapters.console import ConsoleMailer, ConsoleSms
from onzecoach.adapters.sql import SqlStorage


def _settings(folder: Path, url: str) -> Settings:
    key_file = folder / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
    return Settings(base_url=url, secret_key=key_file.read_text().strip())


def _dispatch(portal: Portal, stop: threading.Event) -> None:
    while not stop.wait(2.0):
        try:
            portal.outbox.dispatch_due()
        except Exception:  # keep the demo running; the outbox retries what failed
            logging.getLogger(__name__).exception("outbox dispatch failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, default=Path(".demo"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--fresh", action="store_true", help="throw the demo data away first")
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--appointments", type=int, default=10_000)
    args = parser.parse_args()
    if args.fresh and args.folder.exists():
        shutil.rmtree(args.folder)
    args.folder.mkdir(parents=True, exist_ok=True)
    url = f"http://{args.host}:{args.port}"
    settings = _settings(args.folder, url)
    database = args.folder / "portal.db"
    logins_file = args.folder / "logins.txt"
    if not logins_file.exists():
        # Made aside and moved in when complete: an interrupted first run starts over.
        print("Demodata aanmaken (eenmalig, ongeveer een minuut)...", flush=True)
        started = time.monotonic()
        partial = args.folder / "portal.db.partial"
        partial.unlink(missing_ok=True)
        making = SqlStorage(f"sqlite:///{partial}")
        making.upgrade()
        logins = seed(making, settings, employees=args.employees, appointments=args.appointments)
        making.close()
        for stale in args.folder.glob("portal.db*"):
            if stale != partial:
                stale.unlink()
        partial.rename(database)
        logins_file.write_text("\n".join(_describe(login) for login in logins) + "\n")
        print(f"Klaar in {time.monotonic() - started:.0f} s.", flush=True)
    storage = SqlStorage(f"sqlite:///{database}")
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
        f"Demo-inloggegevens (de SMS-code verschijnt hier en op {url}/dev/berichten):\n"
        + logins_file.read_text(),
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


def _describe(login: DemoLogin) -> str:
    codes = ", ".join(login.backup_codes)
    return (
        f"  {login.role:<14} inlognaam {login.username:<22} wachtwoord {login.password}"
        f"  (tweede stap: {login.factor}; back-up codes, elk één keer te gebruiken: {codes})"
    )


if __name__ == "__main__":
    main()
