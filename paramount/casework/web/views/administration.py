"""Administration: the accounts (an administrator or supervisor adds them, deactivates a
leaver's, clears a lockout), and retention reviews due (metadata only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paramount.casework.codes import Role
from paramount.casework.selectors.accounts import account_for, locked_usernames, may_manage
from paramount.casework.selectors.retention import reviews_due
from paramount.casework.services.users import create_user, set_account_active, unlock_account
from paramount.casework.web.forms import UserForm
from paramount.casework.web.rendering import render
from paramount.casework.web.selectors import accounts_for
from paramount.casework.web.views.common import apply_errors, form_context, page

# Roles an administrator may give from this page (partners need an organisation: use the
# command line).
ROLES = [(r.value, r.label) for r in Role if r not in (Role.PARTNER, Role.ADMINISTRATOR)]


@require_GET
@page
def administration(request: HttpRequest) -> HttpResponse:
    accounts = accounts_for(request.user)
    locked = locked_usernames([a.username for a in accounts])
    rows = [
        {"account": a, "locked": a.username in locked, "manage": may_manage(request.user, a)}
        for a in accounts
    ]
    due = reviews_due(request.user)
    return render(request, "administration/index.html", {"rows": rows, "due": due})


ACCOUNT_ACTIONS = {
    "deactivate": "Account {} deactivated: it can no longer sign in.",
    "reactivate": "Account {} reactivated.",
    "unlock": "Account {} unlocked: it may sign in again.",
}


@require_POST
@page
def account_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    """Deactivate, reactivate or unlock one account, then back to the list."""
    if action not in ACCOUNT_ACTIONS:
        raise PermissionDenied("Unknown account action.")
    account = account_for(request.user, username)
    if action == "unlock":
        unlock_account(account=account, by=request.user)
    else:
        set_account_active(account=account, active=action == "reactivate", by=request.user)
    messages.success(request, ACCOUNT_ACTIONS[action].format(account.username))
    return HttpResponseRedirect("/administration/")


@require_http_methods(["GET", "POST"])
@page
def add_user(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(Role.ADMINISTRATOR, Role.SUPERVISOR):
        raise PermissionDenied("Only an administrator or supervisor adds accounts.")
    form = UserForm(request.POST or None, roles=ROLES)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            validate_password(data["password"])
        except ValidationError as error:
            apply_errors(form, ValidationError({"password": error.messages}))
        else:
            try:
                create_user(
                    username=data["username"], password=data["password"], role=data["role"],
                    force=request.user.force, email=data["email"],
                    first_name=data["first_name"], last_name=data["last_name"], by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Account {data['username']} added.")
                return HttpResponseRedirect("/administration/")
    return render(request, "administration/add_user.html", form_context(form),
                  status=400 if form.errors else 200)
