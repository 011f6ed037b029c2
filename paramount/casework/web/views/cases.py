"""The case list (filters, search, pages), the case page (children, prisoner, evidence in
words and as a network, timeline, next steps) and the overdue list."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from paramount.casework.codes import CaseState
from paramount.casework.selectors import cases as case_selectors
from paramount.casework.web import actions, pictures
from paramount.casework.web.forms import CaseFilterForm
from paramount.casework.web.govuk import error_summary
from paramount.casework.web.rendering import render
from paramount.casework.web.selectors import areas_for
from paramount.casework.web.views.common import page

PER_PAGE = 25


@require_GET
@page
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, states=list(CaseState.choices),
                          lpas=areas_for(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    number = filters.get("page") or 1
    result = case_selectors.case_list(
        request.user,
        states=[filters["state"]] if filters.get("state") else None,
        lpa_code=filters.get("lpa") or None,
        overdue_only=bool(filters.get("overdue")),
        search=filters.get("q") or None,
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
    )
    pages = max(1, -(-result.total // PER_PAGE))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}

    def link(n: int) -> str:
        return "?" + urlencode({**query, "page": n})

    pagination = {
        "previous": link(number - 1) if number > 1 else "",
        "next": link(number + 1) if number < pages else "",
        "items": [{"number": n, "href": link(n), "current": n == number}
                  for n in range(max(1, number - 2), min(pages, number + 2) + 1)],
    } if pages > 1 else None
    return render(request, "cases/list.html", {
        "form": form,
        "errors": error_summary(form) if form.is_bound else [],
        "page": result,
        "first": result.offset + 1 if result.items else 0,
        "last": result.offset + len(result.items),
        "pagination": pagination,
        "filtered": bool(query),
    })


@require_GET
@page
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    detail = case_selectors.case_detail(request.user, reference)
    case = detail.case
    evidence = [
        (cc, pictures.evidence_in_words(cc.evidence)) for cc in detail.children
    ]
    net = pictures.case_network(case, detail.children)
    names = ", ".join(n.label for n in net.nodes if n.kind == "child")
    picture = pictures.network_svg(
        net,
        title=f"How case {case.reference} was found",
        description=(
            f"Link chart: the prisoner on the left, the records that link them in the "
            f"middle, and the children ({names}) on the right. The evidence is written out "
            "in words beside it."
        ),
    )
    user_actions = actions.case_actions(request.user, case, detail.agreements)
    return render(request, "cases/detail.html", {
        "d": detail,
        "case": case,
        "evidence": evidence,
        "network": picture,
        "actions": user_actions,
        "primary": next((a for a in user_actions if a.primary), None),
        "may_check": actions.may_check(request.user, case),
        "may_withdraw": actions.may_withdraw(request.user, case),
        "events": list(reversed(detail.events)),
    })


@require_GET
@page
def overdue(request: HttpRequest) -> HttpResponse:
    items = case_selectors.overdue_cases(request.user)
    return render(request, "cases/overdue.html", {"items": items})
