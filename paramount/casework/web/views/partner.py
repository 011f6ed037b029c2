"""The partner charity's view: referrals (on the family's agreement or a supervisor's
safeguarding override), their packs, acknowledging them, and recording a withdrawal the
family told the charity of (agreed referrals only: an override has no agreement)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paramount.casework.selectors import partner as partner_selectors
from paramount.casework.services import workflow
from paramount.casework.web.forms import WithdrawForm
from paramount.casework.web.rendering import render
from paramount.casework.web.views.common import apply_errors, form_context, page


@require_GET
@page
def referral_list(request: HttpRequest) -> HttpResponse:
    items = partner_selectors.partner_referrals(request.user)
    return render(request, "partner/list.html", {"items": items})


@require_GET
@page
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = partner_selectors.partner_referral(request.user, referral_id)
    return render(request, "partner/detail.html", {"r": referral, "pack": referral.pack})


@require_POST
@page
def acknowledge(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = partner_selectors.partner_referral(request.user, referral_id)
    try:
        workflow.acknowledge_referral(user=request.user, referral=referral)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Referral acknowledged.")
    return HttpResponseRedirect(f"/referrals/{referral.pk}/")


@require_http_methods(["GET", "POST"])
@page
def withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = partner_selectors.partner_referral(request.user, referral_id)
    if referral.agreement_id is None:  # a safeguarding override: no agreement to withdraw
        return render(request, "404.html", status=404)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.withdraw_agreement(user=request.user, agreement=referral.agreement_id,
                                        note=form.cleaned_data["note"],
                                        withdrawn_on=form.cleaned_data.get("withdrawn_on"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Withdrawal recorded. The referral has been removed "
                                      "from your list.")
            return HttpResponseRedirect("/referrals/")
    context = form_context(form)
    context["r"] = referral
    return render(request, "partner/withdraw.html", context, status=400 if form.errors else 200)
