"""Sign in (with django-axes' lockout), the second factor (TOTP set-up with a QR code, and
verify), sign out, and choosing a password from a new account's emailed link. All under
/accounts/, which the second-factor middleware lets through."""

from __future__ import annotations

import base64
import re
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from paramount.casework.selectors.accounts import account_for_link
from paramount.casework.services.access import record_second_factor
from paramount.casework.services.users import choose_password
from paramount.casework.web.forms import LoginForm, TokenForm
from paramount.casework.web.forms_accounts import SetPasswordForm
from paramount.casework.web.navigation import home_for
from paramount.casework.web.rendering import render
from paramount.casework.web.views.common import apply_errors, form_context

DEVICE_NAME = "Authenticator app"


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _second_factor_needed(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)  # set by django-otp's middleware
    return settings.PARAMOUNT_REQUIRE_SECOND_FACTOR and not (verified and verified())


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Username and password; five failures lock the account from that address for a
    while (django-axes), and the page says so."""
    if request.user.is_authenticated and not _second_factor_needed(request):
        return HttpResponseRedirect(_next(request, home_for(request.user.role)))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request=request, username=form.cleaned_data["username"],
                            password=form.cleaned_data["password"])
        if user is None and getattr(request, "axes_locked_out", False):
            # Our own page rather than django-axes' plain text (it keys on this flag).
            request.axes_locked_out = False
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)
        if user is None:
            form.add_error(None, "Enter a correct username and password. After 5 wrong "
                                 "tries the account is locked for a while.")
        else:
            auth_login(request, user)
            target = _next(request, home_for(user.role))
            if _second_factor_needed(request):
                has_device = TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
                step = "/accounts/verify/" if has_device else "/accounts/setup/"
                return HttpResponseRedirect(f"{step}?{urlencode({'next': target})}")
            return HttpResponseRedirect(target)
    context = form_context(form)
    context["next"] = _next(request, "")
    return render(request, "accounts/login.html", context)


@require_POST
@csrf_protect
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return HttpResponseRedirect("/accounts/login/?signed_out=1")


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Size by class (the CSP allows no inline style), and name it for screen readers.
    svg = re.sub(r'\swidth="[^"]*"\sheight="[^"]*"', "", svg, count=1)
    return svg.replace(
        "<svg ", '<svg class="app-qr" role="img" aria-label="QR code for your authenticator '
        'app" ', 1
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then give a code."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect("/accounts/login/")
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return HttpResponseRedirect(f"/accounts/verify/?next={_next(request, '/')}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record_second_factor(request, user, passed=True)
            return HttpResponseRedirect(_next(request, home_for(user.role)))
        record_second_factor(request, user, passed=False)
        form.add_error("token", "The security code is wrong or has expired: try the "
                                "newest code")
    key = base64.b32encode(device.bin_key).decode()
    context = form_context(form)
    context.update(
        qr=mark_safe(_qr_svg(device.config_url)),
        key=" ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        next=_next(request, ""),
    )
    return render(request, "accounts/setup.html", context)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect("/accounts/login/")
    user = request.user
    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    if not devices:
        return HttpResponseRedirect(f"/accounts/setup/?next={_next(request, '/')}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                record_second_factor(request, user, passed=True)
                return HttpResponseRedirect(_next(request, home_for(user.role)))
        record_second_factor(request, user, passed=False)
        form.add_error("token", "The security code is wrong or has expired: try the newest "
                                "code")
    context = form_context(form)
    context["next"] = _next(request, "")
    return render(request, "accounts/verify.html", context)


# The token stays out of the address bar, history and Referer once checked (as Django's own
# PasswordResetConfirmView does): it is kept in the session and the page is reloaded under
# this placeholder.
LINK_SESSION_KEY = "_set_password_token"
LINK_PLACEHOLDER = "choose"


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a password from the emailed one-time link, then sign in (and set up the
    authenticator app, as at any first sign-in)."""
    if token != LINK_PLACEHOLDER:
        if account_for_link(uidb64, token) is None:
            return render(request, "accounts/set_password_invalid.html", status=404)
        request.session[LINK_SESSION_KEY] = token
        return HttpResponseRedirect(f"/accounts/set-password/{uidb64}/{LINK_PLACEHOLDER}/")
    stored = request.session.get(LINK_SESSION_KEY, "")
    account = account_for_link(uidb64, stored)
    if account is None:
        return render(request, "accounts/set_password_invalid.html", status=404)
    if request.user.is_authenticated:
        auth_logout(request)  # whoever was signed in in this browser, the link is not theirs
        request.session[LINK_SESSION_KEY] = stored
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            choose_password(account=account, password=form.cleaned_data["password"])
        except ValidationError as error:
            apply_errors(form, ValidationError({"password": error.messages}))
        else:
            request.session.pop(LINK_SESSION_KEY, None)
            return HttpResponseRedirect("/accounts/login/?password_set=1")
    context = form_context(form)
    context["username"] = account.username
    return render(request, "accounts/set_password.html", context,
                  status=400 if form.errors else 200)
