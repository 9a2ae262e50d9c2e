"""WSGI entry point for gunicorn."""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parkguard.settings")
application = get_wsgi_application()

# Load the URLconf (every app's views and the API's schemas) while the worker boots, not on its
# first request, then move everything loaded so far out of the garbage collector's sight:
# those objects live as long as the process, and a full collection walking them (~380k
# objects, tens to hundreds of milliseconds) would otherwise land inside some request
# (docs/gate.md "Where the time goes").
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
gc.freeze()
