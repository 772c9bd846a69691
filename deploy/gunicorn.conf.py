"""gunicorn's configuration for the reference web app (docs/deployment.md).

    gunicorn --config deploy/gunicorn.conf.py --chdir examples flask_portal.wsgi:app

Every value can be overridden on the command line or with gunicorn's own variables
(``GUNICORN_CMD_ARGS``); the ones below read a few variables of their own.
"""

import multiprocessing
import os
import shutil
import tempfile

#: Where to listen: the reverse proxy in front connects here.
bind = os.environ.get("ONZECOACH_WEB_BIND", "127.0.0.1:8000")

# Threads in a few processes: a request mostly waits for the database (and argon2 or the
# SMTP server for a few), and SQLite and psycopg release the GIL while they work. A worker
# per core, plus one, each with 4 threads; WEB_CONCURRENCY sets the workers.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("ONZECOACH_WEB_THREADS", "4"))

# A request that takes longer than this is stuck: its worker is restarted. The slowest
# legitimate ones are an import of a large file and a statistics export.
timeout = 60
# On SIGTERM a worker finishes the requests it has, for at most this long.
graceful_timeout = 30
# Behind a proxy that keeps connections open; longer than the proxy's own idle timeout
# would leave the proxy holding closed connections.
keepalive = 5
# A worker is replaced after this many requests (spread, so not all at once): a leak in any
# library cannot grow without bound. Not much more often than hourly: a new worker imports
# the app and opens new database connections, whose server processes start cold. Replaced
# every 2,000 requests, the workers answered 113 to 133 requests/s at 16 users in
# benchmarks/web_load.py; never replaced, 178 (docs/benchmarks.md).
max_requests = 100_000
max_requests_jitter = 10_000

# Each worker builds its own Portal and connection pool after the fork.
preload_app = False

# The proxy's address may set X-Forwarded-Proto (https) for gunicorn itself; the app
# reads X-Forwarded-For through ONZECOACH_WEB_PROXIES (flask_portal.wsgi).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Requests larger than this are refused before the app sees them (the app allows 1 MiB,
# and an employee import file 20 MiB).
limit_request_line = 8190
limit_request_fields = 100

# gunicorn's own log on stderr; the app's request log is its own (docs/deployment.md).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ONZECOACH_WEB_LOG_LEVEL", "info")
# The process's name in ps and top.
proc_name = "onzecoach-web"

# Prometheus metrics summed over the workers: each writes its figures into this folder,
# which starts empty, and /metrics reads them all (flask_portal.observability).
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "onzecoach-metrics")
)


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    try:
        from prometheus_client import multiprocess  # noqa: PLC0415 - the server extra
    except ImportError:
        return
    multiprocess.mark_process_dead(worker.pid)
