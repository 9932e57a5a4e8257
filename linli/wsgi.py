from __future__ import annotations

import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
application = get_wsgi_application()
# Django imports the URLconf (every view module: about half of the app's import time) on
# the first request. Do it now, so that it happens in gunicorn's master before the socket
# is bound (linli/gunicorn_conf.py) and no request waits for it.
import_module(settings.ROOT_URLCONF)
