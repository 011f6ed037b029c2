"""gunicorn settings for casework in production, behind a TLS-terminating proxy:

    gunicorn -c python:paramount.casework.gunicorn_conf

Every value can be overridden on the command line or with `GUNICORN_CMD_ARGS`; the bind
address and worker count also come from `PARAMOUNT_BIND` and `WEB_CONCURRENCY`. The access
log leaves out query strings and referrers (see `paramount.casework.accesslog`).
"""

from __future__ import annotations

import os

from paramount.casework.accesslog import ACCESS_LOG_FORMAT

wsgi_app = "paramount.casework.wsgi:application"
bind = os.environ.get("PARAMOUNT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# The proxy on this host is the only one trusted to say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
timeout = 60
graceful_timeout = 30
# Recycle workers now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
access_log_format = ACCESS_LOG_FORMAT
