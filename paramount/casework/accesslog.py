"""Access logs that never carry a query string (a search term there would be a child's name).

gunicorn's format uses the path alone (`%(U)s`), never the request line (`%(r)s`), the query
(`%(q)s`) or the referrer (`%(f)s`, the previous page's full address); `paramount serve`'s
development server logs through `django.server`, whose request lines the filter cuts.
"""

from __future__ import annotations

import logging
import re

# address, time, "METHOD /path", status, bytes, seconds
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(L)s'

_QUERY = re.compile(r"\?[^\s\"]*")


def without_query(text: str) -> str:
    """`GET /cases/?q=x HTTP/1.1` -> `GET /cases/ HTTP/1.1`."""
    return _QUERY.sub("", text)


class DropQueryString(logging.Filter):
    """Cut query strings out of a log record's message arguments (and its message)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = without_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(without_query(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_on_development_server() -> None:
    """Attach the filter to Django's development server logger (`paramount serve`)."""
    logging.getLogger("django.server").addFilter(DropQueryString())
