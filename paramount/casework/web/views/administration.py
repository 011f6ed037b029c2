"""Administration: the accounts (an administrator or supervisor adds them within their own
reach, edits them, deactivates a leaver's after a confirmation, clears a lockout, re-sends a
set-password link), and retention reviews due (metadata only). The rules of who may grant
and change what are `selectors.accounts`; the writes `services.users`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paramount.casework.codes import AuditAction
from paramount.casework.selectors.accounts import (
    account_for,
    assignable_roles,
    locked_usernames,
    may_manage,
)
from paramount.casework.selectors.retention import reviews_due
from paramount.casework.services.audit import audit
from paramount.casework.services.users import (
    create_user,
    send_set_password_link,
    set_account_active,
    unlock_account,
    update_user,
)
from paramount.casework.web.forms_accounts import AccountForm
from paramount.casework.web.rendering import render
from paramount.casework.web.selectors import accounts_for
from paramount.casework.web.views.common import apply_errors, form_context, page


@require_GET
@page
def administration(request: HttpRequest) -> HttpResponse:
    accounts = accounts_for(request.user)
    locked = locked_usernames([a.username for a in accounts])
    rows = [
        {
            "account": a,
            "locked": a.username in locked,
            "manage": may_manage(request.user, a),
            "areas": ", ".join(lpa.code for lpa in a.lpas.all()) or "All",
        }
        for a in accounts
    ]
    due = reviews_due(request.user)
    return render(request, "administration/index.html", {"rows": rows, "due": due})


ACCOUNT_ACTIONS = {
    "reactivate": "Account {} reactivated.",
    "unlock": "Account {} unlocked: it may sign in again.",
    "send-link": "A new set-password link has been emailed to {}.",
}


@require_POST
@page
def account_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    """Reactivate, unlock, or re-send the set-password link, then back to the list."""
    if action not in ACCOUNT_ACTIONS:
        raise PermissionDenied("Unknown account action.")
    account = account_for(request.user, username)
    if action == "unlock":
        unlock_account(account=account, by=request.user)
    elif action == "send-link":
        try:
            send_set_password_link(account=account, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect("/administration/")
    else:
        set_account_active(account=account, active=True, by=request.user)
    messages.success(request, ACCOUNT_ACTIONS[action].format(account.username))
    return HttpResponseRedirect("/administration/")


@require_http_methods(["GET", "POST"])
@page
def deactivate(request: HttpRequest, username: str) -> HttpResponse:
    """Ask first, then deactivate: the account cannot sign in, what it recorded stays."""
    account = account_for(request.user, username)
    if request.method == "POST":
        set_account_active(account=account, active=False, by=request.user)
        messages.success(
            request, f"Account {account.username} deactivated: it can no longer sign in."
        )
        return HttpResponseRedirect("/administration/")
    return render(request, "administration/deactivate.html", {"account": account})


def _may_add(request: HttpRequest) -> None:
    if not assignable_roles(request.user):
        audit(request.user, AuditAction.REFUSED, "user", detail={"view": "add user"})
        raise PermissionDenied("Only an administrator or supervisor adds accounts.")


@require_http_methods(["GET", "POST"])
@page
def add_user(request: HttpRequest) -> HttpResponse:
    _may_add(request)
    form = AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            create_user(
                username=data["username"],
                role=data["role"],
                force=data.get("force") or request.user.force,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                lpas=data["lpas"],
                organisation=data["organisation"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Account {data['username']} added. A link to choose "
                "their password has been emailed to them.",
            )
            return HttpResponseRedirect("/administration/")
    return render(
        request,
        "administration/account_form.html",
        {**form_context(form), "account": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page
def edit_user(request: HttpRequest, username: str) -> HttpResponse:
    account = account_for(request.user, username)
    form = AccountForm(request.POST or None, actor=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_user(
                account=account,
                by=request.user,
                role=data["role"],
                email=data["email"],
                lpas=data["lpas"],
                organisation=data["organisation"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Account {account.username} changed.")
            return HttpResponseRedirect("/administration/")
    return render(
        request,
        "administration/account_form.html",
        {**form_context(form), "account": account},
        status=400 if form.errors else 200,
    )
