"""Run Linli's multi-host topology on one machine, each part as its own process (issue 19).

    nginx :8580 ─┬─ app1: gunicorn :8581 ─┐            ┌─ PostgreSQL primary :5441
                 └─ app2: gunicorn :8582 ─┼─ writes ───┤      │ streaming replication
                                          └─ reads of ─┴─ PostgreSQL replica :5442
    worker1: Huey consumer (+ periodic)      lists/dashboards   (pg_basebackup, hot standby)
    worker2: Huey consumer (no periodic)  ── Redis 127.0.0.1:6379 db 7 (queue, cache, pins)

Every process gets the environment it would get on its own host (the same keys, database
URLs and Redis URL; ``LINLI_DATA_DIR`` stands for the shared media storage). Nothing here
touches the PostgreSQL server on 5432: the primary is a fresh cluster in the state
directory. Usage (as root; PostgreSQL runs as the ``postgres`` user)::

    uv run python deploy/topology.py up        # clusters, migrate, demo world, all processes
    uv run python deploy/topology.py up --world scale --residents 300000  # a generated world
    uv run python deploy/topology.py status
    uv run python deploy/topology.py kill app1 # SIGKILL, as if the host died
    uv run python deploy/topology.py start app1  # and wait until its /healthz answers
    uv run python deploy/topology.py down      # stop everything (state stays for the next up)
    uv run python deploy/topology.py down --wipe  # and empty its Redis database

``--world scale`` loads ``linli scale generate --residents N --seed 1`` instead of the demo
world and gives a sample of its people a password for the load test (``linli scale
accounts``; the password is kept in ``secrets.json``, the usernames in ``accounts.json``).
The world a state directory holds is recorded in ``world.json``; another world needs
``down --wipe`` first.

An app server is gunicorn with ``linli/gunicorn_conf.py``: the application is loaded in
the master before the port is bound, so a (re)started server refuses connections until it
can serve them and nginx sends them to the other (``LINLI_TOPOLOGY_PRELOAD=0`` starts
app servers without it, to compare; ``bench/restart_check.py`` measures both). ``up`` and
``start`` count an app server as up once its ``/healthz`` answers 200.

Not part of CI. Needs nginx (``apt-get install nginx-light``) and PostgreSQL's binaries
under /usr/lib/postgresql/*/bin.
"""

from __future__ import annotations

import argparse
import base64
import glob
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("LINLI_TOPOLOGY_DIR", "/tmp/linli-topology"))
NGINX_PORT, APP_PORTS = 8580, {"app1": 8581, "app2": 8582}
PRIMARY_PORT, REPLICA_PORT = 5441, 5442
REDIS_URL = os.environ.get("LINLI_TOPOLOGY_REDIS", "redis://127.0.0.1:6379/7")
DB = "linli"
APP_WORKERS = int(os.environ.get("LINLI_TOPOLOGY_APP_WORKERS", "2"))
PRELOAD = os.environ.get("LINLI_TOPOLOGY_PRELOAD", "1") != "0"
SERVICES = ["app1", "app2", "worker1", "worker2", "nginx"]
SECRET_KEYS = ("LINLI_SECRET_KEY", "LINLI_FIELD_KEYS", "LINLI_HASH_KEY")
DEMO_PASSWORD = "Linli@2026"  # linli.demo.world.DEMO_PASSWORD
LOAD_GRIDS = 40  # generated grids whose people get load-test accounts


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


def as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args]


def run(cmd: list[str], **kw: object) -> None:
    print("  $", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def _secrets() -> dict[str, str]:
    path = STATE / "secrets.json"
    if not path.exists():
        STATE.mkdir(parents=True, exist_ok=True)
        fresh = {
            "LINLI_SECRET_KEY": secrets.token_urlsafe(50),
            "LINLI_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "LINLI_HASH_KEY": secrets.token_urlsafe(32),
        }
        path.write_text(json.dumps(fresh))
        path.chmod(0o600)
    values: dict[str, str] = json.loads(path.read_text())
    if "load_password" not in values:  # a state directory from before the generated world
        values["load_password"] = secrets.token_urlsafe(18)
        path.write_text(json.dumps(values))
    return values


def secrets_env() -> dict[str, str]:
    """The same keys for every process, as a secret store would hand them out."""
    return {k: v for k, v in _secrets().items() if k in SECRET_KEYS}


def load_password() -> str:
    """The password of the load test's accounts: the demo's on the demo world, else one
    generated with the keys (``secrets.json``) and set by ``linli scale accounts``."""
    return _secrets()["load_password"] if world().get("world") == "scale" else DEMO_PASSWORD


def world() -> dict[str, object]:
    """The world the primary holds (``world.json``): {"world": "demo"} or
    {"world": "scale", "residents": N}; {} before the first ``up``."""
    path = STATE / "world.json"
    loaded: dict[str, object] = json.loads(path.read_text()) if path.exists() else {}
    return loaded


def app_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DATABASE_"))}
    env.update(secrets_env())
    env.update(
        {
            "LINLI_DATA_DIR": str(STATE / "data"),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}",
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}",
            "REDIS_URL": REDIS_URL,
            "LINLI_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LINLI_TRUSTED_PROXIES": "127.0.0.1",
            # A load test files far more than one person could: the per-user and
            # per-address limits (docs/operations.md) would refuse it.
            "LINLI_RATE_FILING_USER": "100000/m",
            "LINLI_RATE_FILING_ADDRESS": "100000/m",
            "LINLI_LOG_LEVEL": "WARNING",
        }
    )
    return env


# --- PostgreSQL: a primary and a streaming replica -------------------------------------------


def pg_ready(port: int) -> bool:
    return (
        subprocess.run(
            [pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        ).returncode
        == 0
    )


def pg_start(datadir: Path, port: int) -> None:
    if pg_ready(port):
        return
    run(
        as_postgres(
            pg_bin("pg_ctl"), "-D", str(datadir), "-l", str(datadir / "server.log"),
            "-o", f"-p {port} -k /tmp -c listen_addresses=127.0.0.1", "-w", "start",
        )
    )  # fmt: skip


def primary_up() -> None:
    primary = STATE / "pg-primary"
    STATE.mkdir(parents=True, exist_ok=True)
    shutil.chown(STATE, "postgres")
    if not (primary / "PG_VERSION").exists():
        run(as_postgres(pg_bin("initdb"), "-D", str(primary), "-U", "postgres",
                        "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"))  # fmt: skip
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# linli topology\nwal_level = replica\nmax_wal_senders = 4\n"
                "hot_standby = on\nmax_connections = 60\nshared_buffers = 256MB\n"
                "synchronous_commit = on\nmaintenance_work_mem = 256MB\nmax_wal_size = 4GB\n"
                # A wait for a lock longer than deadlock_timeout (1 s), and a statement
                # slower than a second, are written to the primary's log.
                "log_lock_waits = on\nlog_min_duration_statement = 1000\n"
            )
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
    pg_start(primary, PRIMARY_PORT)
    exists = subprocess.run(
        [pg_bin("psql"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", DB])


def replica_up() -> None:
    replica = STATE / "pg-replica"
    if not (replica / "PG_VERSION").exists():
        # A second cluster from a base backup; -R writes standby.signal and the
        # primary_conninfo, so it follows the primary's WAL stream from then on.
        run(as_postgres(pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT),
                        "-U", "postgres", "-D", str(replica), "-R", "-X", "stream",
                        "-c", "fast"))  # fmt: skip
    pg_start(replica, REPLICA_PORT)


def databases_down() -> None:
    for name in ("pg-replica", "pg-primary"):
        datadir = STATE / name
        if (datadir / "postmaster.pid").exists():
            run(as_postgres(pg_bin("pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "stop"))


# --- the app processes -----------------------------------------------------------------------


def nginx_conf() -> Path:
    conf = STATE / "nginx" / "nginx.conf"
    (STATE / "nginx" / "logs").mkdir(parents=True, exist_ok=True)
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;"
        for port in APP_PORTS.values()
    )
    conf.write_text(f"""
daemon off;
user root;
worker_processes 1;
pid {STATE}/nginx/nginx.pid;
error_log {STATE}/nginx/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    # When, which server(s) — two when nginx passed the request on — and how long the
    # connect and the wait for the answer's header took (bench/restart_check.py reads it).
    log_format timed '$msec|$status|$request_method|$uri|$upstream_addr|$upstream_status|'
                     '$upstream_connect_time|$upstream_header_time|$request_time';
    access_log {STATE}/nginx/logs/access.log timed;
    client_body_temp_path {STATE}/nginx/body;
    proxy_temp_path {STATE}/nginx/proxy;
    client_max_body_size 20m;
    upstream linli {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{NGINX_PORT};
        location / {{
            proxy_pass http://linli;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            # A request goes to the other server when this one refuses or resets the
            # connection, times out, or answers 502/503 — but a POST (PATCH, LOCK) only
            # if it was never sent: without `non_idempotent` here nginx does not pass a
            # request it has sent with a non-idempotent method on, so a filing that may
            # have reached a dying server is answered 502, never filed twice. A server
            # that is still loading the app refuses the connection (gunicorn_conf.py),
            # so nothing is sent to it, POST or GET, before it can serve.
            # A server is taken out for 5 s after three failed attempts, not one: a single
            # slow answer (a read timeout) on each server no longer turns into seconds of
            # 502 for everyone (the 3 M load test, docs/scaling.md).
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
""")
    return conf


def command_of(name: str) -> list[str]:
    venv = ROOT / ".venv" / "bin"
    if name in APP_PORTS:
        config = ["-c", "python:linli.gunicorn_conf"] if PRELOAD else ["--no-control-socket"]
        return [str(venv / "gunicorn"), *config, "linli.wsgi",
                "--bind", f"127.0.0.1:{APP_PORTS[name]}",
                "--workers", str(APP_WORKERS), "--timeout", "60", "--graceful-timeout", "5",
                "--access-logfile", "-"]  # fmt: skip
    if name == "worker1":  # the one scheduler of periodic tasks (the sweep)
        return [str(venv / "linli"), "run_huey", "--workers", "2"]
    if name == "worker2":
        return [str(venv / "linli"), "run_huey", "--workers", "2", "--no-periodic"]
    if name == "nginx":
        return ["nginx", "-p", str(STATE / "nginx"), "-c", str(nginx_conf())]
    raise SystemExit(f"unknown service {name!r}; one of {', '.join(SERVICES)}")


def pid_of(name: str) -> int | None:
    path = STATE / "run" / f"{name}.pid"
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def start(name: str) -> None:
    if pid_of(name):
        return
    (STATE / "run").mkdir(parents=True, exist_ok=True)
    log = (STATE / "run" / f"{name}.log").open("ab")
    process = subprocess.Popen(
        command_of(name), cwd=ROOT, env=app_env(), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,  # its own group, as on its own host
    )  # fmt: skip
    (STATE / "run" / f"{name}.pid").write_text(str(process.pid))
    print(f"  started {name} (pid {process.pid})", flush=True)


def kill(name: str, sig: int = signal.SIGKILL) -> None:
    pid = pid_of(name)
    if pid is None:
        print(f"  {name} is not running")
        return
    os.killpg(pid, sig)  # the master and its workers, as when the host goes down
    for _ in range(100):
        if pid_of(name) is None:
            break
        time.sleep(0.1)
    print(f"  {name} (pid {pid}) {'killed' if sig == signal.SIGKILL else 'stopped'}", flush=True)


def wait_http(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def wait_ready(name: str, seconds: float = 180) -> float:
    """Wait until an app server's ``/healthz`` answers 200 (the app is loaded and its
    database answers); the seconds it took."""
    url = f"http://127.0.0.1:{APP_PORTS[name]}/healthz"
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:  # refused while loading, 503 while the database does not answer
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name}: {url} did not answer 200 within {seconds:.0f} s")


def load_world(wanted: dict[str, object]) -> None:
    """Migrate and load the world on the primary, before the replica is copied from it."""
    linli = str(ROOT / ".venv" / "bin" / "linli")
    env = app_env()
    if wanted["world"] == "demo":
        print("migrate and the demo world (on the primary)", flush=True)
        run([linli, "demo", "--no-serve"], cwd=ROOT, env=env)
        (STATE / "world.json").write_text(json.dumps(wanted))
        return
    generated = world() != wanted
    if generated:
        residents = str(wanted["residents"])
        print(f"migrate and a generated world of {residents} residents (on the primary)")
        run([linli, "migrate", "--verbosity", "0"], cwd=ROOT, env=env)
        generate = [linli, "scale", "generate", "--residents", residents, "--seed", "1"]
        run(generate, cwd=ROOT, env=env)
        (STATE / "world.json").write_text(json.dumps(wanted))
    print("load-test accounts on the generated world", flush=True)
    accounts = STATE / "accounts.json"
    run(
        [linli, "scale", "accounts", "--grids", str(LOAD_GRIDS), "--out", str(accounts)],
        cwd=ROOT, env={**env, "LINLI_SCALE_PASSWORD": _secrets()["load_password"]},
    )  # fmt: skip
    if generated:  # fresh statistics for the planner, as after any bulk load
        run([pg_bin("psql"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres",
             "-q", "-c", "VACUUM ANALYZE", DB])  # fmt: skip


def up(wanted: dict[str, object]) -> None:
    held = world()
    if held and held != wanted:
        sys.exit(f"{STATE} holds the world {held}, not {wanted}: `down --wipe` first")
    if not held and (STATE / "pg-primary" / "PG_VERSION").exists():
        sys.exit(f"{STATE} holds a world of unknown kind: `down --wipe` first")
    print("PostgreSQL primary", flush=True)
    primary_up()
    started = time.monotonic()
    load_world(wanted)
    print(f"world loaded in {time.monotonic() - started:.0f} s", flush=True)
    print("PostgreSQL replica (a base backup of the primary, then its WAL stream)", flush=True)
    started = time.monotonic()
    replica_up()
    print(f"replica up in {time.monotonic() - started:.0f} s", flush=True)
    for name in SERVICES:
        start(name)
    for name in APP_PORTS:
        print(f"  {name} ready ({wait_ready(name):.1f} s more)", flush=True)
    wait_http(f"http://127.0.0.1:{NGINX_PORT}/accounts/login/")
    print(f"up: http://127.0.0.1:{NGINX_PORT}/  (state in {STATE})")


def down(wipe: bool) -> None:
    for name in reversed(SERVICES):
        if pid_of(name):
            kill(name, signal.SIGTERM)
    databases_down()
    if wipe:
        shutil.rmtree(STATE, ignore_errors=True)
        # The queue and cache of this topology only (its own Redis database number).
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()


def status() -> None:
    for name in SERVICES:
        pid = pid_of(name)
        print(f"  {name:<8} {'pid ' + str(pid) if pid else 'down'}")
    for name, port in (("primary", PRIMARY_PORT), ("replica", REPLICA_PORT)):
        print(f"  {name:<8} :{port} {'ready' if pg_ready(port) else 'down'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["up", "down", "status", "kill", "start"])
    parser.add_argument("service", nargs="?")
    parser.add_argument("--wipe", action="store_true", help="with down: remove the state")
    parser.add_argument(
        "--world", choices=["demo", "scale"], default="demo",
        help="with up: the demo world (default) or a generated one (linli scale generate)",
    )  # fmt: skip
    parser.add_argument("--residents", type=int, default=30_000, help="with up --world scale")
    args = parser.parse_args()
    if args.action == "up":
        wanted: dict[str, object] = {"world": args.world}
        if args.world == "scale":
            wanted["residents"] = args.residents
        up(wanted)
    elif args.action == "down":
        down(args.wipe)
    elif args.action == "status":
        status()
    elif args.action in {"kill", "start"}:
        if not args.service:
            parser.error(f"{args.action} needs a service: {', '.join(SERVICES)}")
        if args.action == "kill":
            kill(args.service)
        else:
            start(args.service)
            if args.service in APP_PORTS:
                print(f"  {args.service} ready after {wait_ready(args.service):.1f} s")


if __name__ == "__main__":
    main()
