"""The case list (search and filters by POST, kept on the server; pages), the case page
(children, prisoner, evidence in words and as a network, timeline, next steps) and the
overdue list."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods

from paramount.casework.codes import CaseState
from paramount.casework.selectors import cases as case_selectors
from paramount.casework.web import actions, pictures, searches
from paramount.casework.web.forms import CaseFilterForm
from paramount.casework.web.govuk import error_summary
from paramount.casework.web.rendering import render
from paramount.casework.web.selectors import areas_for
from paramount.casework.web.views.common import page

PER_PAGE = 25


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), 100_000)
    except ValueError:
        return 1


@require_http_methods(["GET", "POST"])
@page
def case_list(request: HttpRequest) -> HttpResponse:
    """GET lists (a kept search by its id); POST searches: it keeps the criteria on the
    server and redirects to `/cases/?search=<id>`, so no term is ever in a URL."""
    kwargs = {"states": list(CaseState.choices), "lpas": areas_for(request.user)}
    search_id, expired, status = "", False, 200
    if request.method == "POST":
        form = CaseFilterForm(request.POST, **kwargs)
        if form.is_valid():
            criteria = {k: v for k, v in form.cleaned_data.items() if v}
            if not criteria:
                return HttpResponseRedirect("/cases/")
            search_id = searches.remember(request.session, criteria)
            return HttpResponseRedirect("/cases/?" + urlencode({"search": search_id}))
        criteria, status = {}, 400
    else:
        search_id = request.GET.get("search", "")
        kept = searches.recall(request.session, search_id)
        expired = bool(search_id) and kept is None
        criteria = kept or {}
        search_id = search_id if kept is not None else ""
        form = CaseFilterForm(initial=criteria, **kwargs)
    number = _page_number(request)
    result = case_selectors.case_list(
        request.user,
        states=[criteria["state"]] if criteria.get("state") else None,
        lpa_code=criteria.get("lpa") or None,
        overdue_only=bool(criteria.get("overdue")),
        search=criteria.get("q") or None,
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
    )
    pages = max(1, -(-result.total // PER_PAGE))

    def link(n: int) -> str:
        return "?" + urlencode({**({"search": search_id} if search_id else {}), "page": n})

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
        "filtered": bool(criteria),
        "expired": expired,
    }, status=status)


@require_GET
@page
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    detail = case_selectors.case_detail(request.user, reference)
    case = detail.case
    evidence = [
        (cc, pictures.evidence_in_words(cc.evidence)) for cc in detail.links
    ]
    receptions = {}
    for cc in detail.links:
        receptions.setdefault(cc.reception_id, cc)
    net = pictures.case_network(case, detail.links)
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
    user_actions = actions.case_actions(request.user, case, detail.agreements,
                                        detail.children)
    return render(request, "cases/detail.html", {
        "d": detail,
        "case": case,
        "evidence": evidence,
        "receptions": list(receptions.values()),
        "several_receptions": len(detail.links) > len(detail.children),
        "network": picture,
        "actions": user_actions,
        "primary": next((a for a in user_actions if a.primary), None),
        "may_check": actions.may_check(request.user, case),
        "may_verdict": actions.may_record_verdict(request.user, case),
        "may_withdraw": actions.may_withdraw(request.user, case),
        "may_download_chart": actions.may_download_chart(request.user),
        "events": list(reversed(detail.events)),
    })


@require_GET
@page
def child_detail(request: HttpRequest, pseudonym: str) -> HttpResponse:
    """A child's own page: their cases across receptions (those the user may see), each
    with the evidence that linked them to the prisoner."""
    detail = case_selectors.child_detail(request.user, pseudonym)
    links = [(cc, pictures.evidence_in_words(cc.evidence)) for cc in reversed(detail.links)]
    return render(request, "cases/child.html", {"child": detail.child, "links": links})


@require_GET
@page
def overdue(request: HttpRequest) -> HttpResponse:
    items = case_selectors.overdue_cases(request.user)
    return render(request, "cases/overdue.html", {"items": items,
                                                  "counts": overdue_counts(items)})


def overdue_counts(items) -> dict[str, int]:
    """How many overdue cases wait for each step (for the overdue page and the dashboard)."""
    counts = {"checks": 0, "allocation": 0, "contact": 0}
    for case in items:
        key = "contact" if case.waiting_for == "first contact" else case.waiting_for
        counts[key] += 1
    return counts
