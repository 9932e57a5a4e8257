"""gunicorn settings for an app server: ``gunicorn -c python:linli.gunicorn_conf linli.wsgi``.

**Traffic only once it can serve** (issue 19). Without ``preload_app`` the master binds
the listening socket first and each worker imports Django afterwards (3–4 s on a quiet
machine, far longer on a busy one): nginx's connections are accepted by the kernel and
wait in the backlog for a worker, so a restarted server holds requests for seconds. With
it, gunicorn loads the application in the master (``Arbiter.setup``) *before*
``Arbiter.start`` creates the socket: while the app imports, the port refuses connections
and nginx sends them to the other server (``proxy_next_upstream error``). The workers are
forked from the loaded master in milliseconds, and ``linli.wsgi`` also imports the URLconf
(the other half of the import, otherwise done by each worker's first request).

What the forked workers share is only what the import created. The import opens no
database connection, Redis connection, socket or thread (``tests/deploy/test_preload.py``
imports the app with both servers unreachable); :func:`pre_fork` still closes any database
connection the master holds, so no worker can inherit one. Redis clients (the cache, Huey)
connect lazily and redis-py re-creates its pool in a process whose pid changed.

Code is not reloaded by ``HUP`` with a preloaded master (the workers are forked from the
old code): deploy new code with a restart of the service, one app server at a time.
"""

from __future__ import annotations

from typing import Any

preload_app = True
# gunicorn ≥ 25 opens a control socket at ~/.gunicorn/gunicorn.ctl (one path for every
# gunicorn of the user, so two app servers on one host take it from each other) and runs
# it on a thread in the master. Nothing here uses ``gunicornc``.
control_socket_disable = True


def pre_fork(server: Any, worker: Any) -> None:
    """In the master, before each worker is forked: close its database connections."""
    from django.apps import apps

    if not apps.ready:  # not a Django application (the tests' stand-in)
        return
    from django.db import connections

    connections.close_all()
