"""Analysts' review tasks: candidates the engine was unsure of, accepted or rejected."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods

from paramount.casework.codes import Role
from paramount.casework.selectors import review as review_selectors
from paramount.casework.services.review import resolve_review_task
from paramount.casework.web import pictures
from paramount.casework.web.forms import ReviewDecisionForm
from paramount.casework.web.rendering import render
from paramount.casework.web.views.common import apply_errors, form_context, page


@require_GET
@page
def review_list(request: HttpRequest) -> HttpResponse:
    items = review_selectors.review_tasks(request.user)
    return render(request, "review/list.html", {"items": items})


@require_http_methods(["GET", "POST"])
@page
def review_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = review_selectors.review_task(request.user, task_id)
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resolve_review_task(user=request.user, task=task,
                                accept=form.cleaned_data["decision"] == "accept",
                                note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Review task resolved.")
            return HttpResponseRedirect("/review/")
    context = form_context(form)
    context.update(task=task, row=task.row, evidence=pictures.evidence_in_words(task.evidence),
                   may_resolve=request.user.role == Role.ANALYST and task.status == "open")
    return render(request, "review/detail.html", context, status=400 if form.errors else 200)
