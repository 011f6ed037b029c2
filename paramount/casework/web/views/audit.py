"""The auditor's search of the audit log, by person, case, child, action and date."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from paramount.casework.selectors.audit import audit_search
from paramount.casework.web.forms import AuditSearchForm
from paramount.casework.web.rendering import render
from paramount.casework.web.views.common import form_context, page

LIMIT = 200


@require_GET
@page
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    records = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        records = audit_search(
            request.user, actor=data.get("actor") or None, case_ref=data.get("case_ref") or None,
            child_ref=data.get("child_ref") or None, action=data.get("action") or None,
            date_from=data.get("date_from"), date_to=data.get("date_to"), limit=LIMIT,
        )
    context = form_context(form)
    context.update(records=records, limit=LIMIT)
    return render(request, "audit/search.html", context, status=400 if form.errors else 200)
