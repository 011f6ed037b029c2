"""`paramount casework force ...` and `paramount casework user ...`: setting a force up and
managing its accounts from the server's shell.

These are the deployer's commands: whoever has a shell on the server (and so the database
and its settings) runs them, with no signed-in user, so they are unrestricted and audited
with the system actor "cli". They write through the same services as the administration
pages (`services.forces`, `services.users`). Errors exit with status 2 and say what is
wrong; no output carries personal data beyond usernames.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

force_app = typer.Typer(
    name="force",
    help="Set a force up: the force, its areas, its partner.",
    no_args_is_help=True,
)
user_app = typer.Typer(
    name="user",
    help="Accounts: create (a set-password link is emailed), list, send-link, deactivate.",
    no_args_is_help=True,
)


def _django() -> None:
    from paramount.casework.bootstrap import setup_django

    setup_django()


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(2)


def _messages(error) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


def _force(code: str):
    from paramount.casework.models import Force

    force = Force.objects.filter(code=code).first()
    if force is None:
        known = ", ".join(Force.objects.order_by("code").values_list("code", flat=True))
        _fail(
            f"unknown force {code!r} (known: {known or 'none yet'}; "
            "`paramount casework force create` makes one)"
        )
    return force


@force_app.command("create")
def force_create(
    code: Annotated[str, typer.Argument(help="The force's code, e.g. TVP.")],
    name: Annotated[str, typer.Argument(help="The force's name.")],
    areas: Annotated[
        Path, typer.Option(help="The extract's force_area.csv (or .parquet): its LPAs.")
    ],
    partner: Annotated[
        str | None, typer.Option(help="The partner organisation (the charity) of the force.")
    ] = None,
    partner_email: Annotated[
        str, typer.Option(help="Where the partner is told of a new referral.")
    ] = "",
) -> None:
    """Create or update a force, its LPAs and its partner: run it again, nothing changes."""
    _django()
    from django.core.exceptions import ValidationError

    from paramount.casework.selectors.accounts import DEPLOYER
    from paramount.casework.services.forces import ForceAreaError, read_force_area, set_up_force

    if partner_email and partner is None:
        _fail("--partner-email needs --partner NAME")
    try:
        found = read_force_area(areas)
        result = set_up_force(
            code=code,
            name=name,
            areas=found,
            by=DEPLOYER,
            partner_name=partner,
            partner_email=partner_email,
        )
    except ForceAreaError as error:
        _fail(str(error))
    except ValidationError as error:
        _fail(_messages(error))
    force = result.force
    state = (
        "created" if result.force_created else "renamed" if result.force_renamed else "unchanged"
    )
    typer.echo(f"Force {force.code} ({force.name}): {state}.")
    typer.echo(
        f"Areas: {len(result.lpas_created)} created, {len(result.lpas_renamed)} "
        f"renamed, {result.lpas_unchanged} unchanged."
    )
    if result.lpas_not_in_file:
        typer.echo(f"Kept, though not in {areas.name}: {', '.join(result.lpas_not_in_file)}.")
    if result.partner is not None:
        typer.echo(f"Partner {result.partner.name}: {result.partner_changed or 'unchanged'}.")
    if not result.changed:
        typer.echo("Nothing changed.")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="The new account's username.")],
    role: Annotated[
        str,
        typer.Option(
            help="analyst, checker, champion, supervisor, "
            "partner, evaluator, auditor or administrator."
        ),
    ],
    force: Annotated[
        str | None, typer.Option(help="Force code (every role but administrator needs one).")
    ] = None,
    email: Annotated[
        str, typer.Option(help="Their work email: the set-password link goes there.")
    ] = "",
    lpa: Annotated[
        list[str] | None,
        typer.Option(
            help="An LPA code to limit them to (repeat for more; none = the whole force)."
        ),
    ] = None,
    organisation: Annotated[
        str | None, typer.Option(help="Partner accounts: the partner organisation's name.")
    ] = None,
    print_link: Annotated[
        bool,
        typer.Option(
            help="Print the set-password link instead of emailing it (a "
            "first administrator, before email is set up)."
        ),
    ] = False,
) -> None:
    """Create an account with no password; they choose it from a one-time link."""
    _django()
    from django.core.exceptions import ValidationError

    from paramount.casework.codes import Role
    from paramount.casework.models import LPA, PartnerOrganisation
    from paramount.casework.selectors.accounts import DEPLOYER
    from paramount.casework.services.users import create_user, link_days, set_password_link

    if role not in Role.values:
        _fail(f"unknown role {role!r} (one of {', '.join(Role.values)})")
    the_force = _force(force) if force else None
    if the_force is None and role != Role.ADMINISTRATOR:
        _fail("--force CODE is needed for every role but administrator")
    lpas = []
    for code in lpa or []:
        found = LPA.objects.filter(force=the_force, code=code).first()
        if found is None:
            _fail(f"unknown LPA {code!r} in force {force}")
        lpas.append(found)
    the_organisation = None
    if organisation is not None:
        the_organisation = PartnerOrganisation.objects.filter(
            force=the_force, name=organisation
        ).first()
        if the_organisation is None:
            _fail(f"unknown partner organisation {organisation!r} in force {force}")
    if not email and not print_link:
        _fail("--email ADDR is needed (or --print-link to hand the link over yourself)")
    try:
        user = create_user(
            username=username,
            role=role,
            force=the_force,
            email=email,
            lpas=lpas,
            organisation=the_organisation,
            by=DEPLOYER,
            send_link=not print_link,
        )
    except ValidationError as error:
        _fail(_messages(error))
    typer.echo(f"Account {user.username} created ({Role(role).label}).")
    if print_link:
        typer.echo(
            f"Give them this link to choose a password (it works once, for {link_days()} days):"
        )
        typer.echo(set_password_link(user))
        return
    _report_sent(user)


def _report_sent(user) -> None:
    """Say whether the set-password email left (sending after commit has normally happened
    already; if not, one more try now)."""
    from paramount.casework.models import Notification
    from paramount.casework.services.notifications import send_notifications

    notification = (
        Notification.objects.filter(kind=Notification.Kind.SET_PASSWORD, to_email=user.email)
        .order_by("-pk")
        .first()
    )
    if notification is None:
        _fail("no set-password email was queued")
    if notification.status != "sent":
        send_notifications([notification.pk])
        notification.refresh_from_db()
    from django.conf import settings

    if notification.status == "sent" and "console" in settings.EMAIL_BACKEND:
        typer.echo(
            "Email is not set up (EMAIL_HOST is empty): the message went to this "
            "console, not to them. Hand the link over, or set EMAIL_* and send-link."
        )
    elif notification.status == "sent":
        typer.echo("A set-password email was sent to their address.")
    else:
        typer.echo(
            "The set-password email could not be sent yet "
            f"({notification.last_error or 'pending'}): check the EMAIL_* settings; "
            "`paramount casework manage casework_notify` retries it."
        )


@user_app.command("send-link")
def user_send_link(
    username: Annotated[str, typer.Argument(help="The account's username.")],
    print_link: Annotated[
        bool, typer.Option(help="Print the link instead of emailing it.")
    ] = False,
) -> None:
    """A new set-password link, for an account whose link expired or was lost."""
    _django()
    from django.core.exceptions import ValidationError

    from paramount.casework.codes import AuditAction
    from paramount.casework.models import User
    from paramount.casework.selectors.accounts import DEPLOYER, audit_actor
    from paramount.casework.services.users import send_set_password_link, set_password_link

    account = User.objects.filter(username=username).first()
    if account is None:
        _fail(f"no account {username!r}")
    if print_link:
        if not account.is_active:
            _fail("the account is deactivated")
        audit_actor(
            DEPLOYER,
            AuditAction.CHANGE,
            "user",
            object_ref=username,
            detail={"set_password_link": "printed"},
        )
        typer.echo(set_password_link(account))
        return
    try:
        send_set_password_link(account=account, by=DEPLOYER)
    except ValidationError as error:
        _fail(_messages(error))
    _report_sent(account)


@user_app.command("list")
def user_list(
    force: Annotated[str | None, typer.Option(help="Only this force's accounts.")] = None,
) -> None:
    """Accounts: username, role, force, areas, active, password chosen. No names, no emails."""
    _django()
    from paramount.casework.codes import AuditAction
    from paramount.casework.models import User
    from paramount.casework.selectors.accounts import DEPLOYER, audit_actor

    qs = (
        User.objects.select_related("force")
        .prefetch_related("lpas")
        .order_by("force__code", "role", "username")
    )
    if force:
        qs = qs.filter(force=_force(force))
    users = list(qs)
    audit_actor(
        DEPLOYER,
        AuditAction.LIST,
        "user",
        detail={"command": "user list", "force": force or "", "results": len(users)},
    )
    typer.echo(f"{'username':<24} {'role':<14} {'force':<8} {'areas':<20} active  password")
    for u in users:
        areas = ",".join(sorted(lpa.code for lpa in u.lpas.all())) or "all"
        typer.echo(
            f"{u.username:<24} {u.role:<14} {(u.force.code if u.force else 'all'):<8} "
            f"{areas:<20} {'yes' if u.is_active else 'no':<7} "
            f"{'set' if u.has_usable_password() else 'not yet'}"
        )
    typer.echo(f"{len(users)} accounts.")


@user_app.command("deactivate")
def user_deactivate(
    username: Annotated[str, typer.Argument(help="The leaver's username.")],
) -> None:
    """Deactivate an account: it can no longer sign in; what it recorded stays."""
    _django()
    from paramount.casework.models import User
    from paramount.casework.selectors.accounts import DEPLOYER
    from paramount.casework.services.users import set_account_active

    account = User.objects.filter(username=username).first()
    if account is None:
        _fail(f"no account {username!r}")
    was_active = account.is_active
    set_account_active(account=account, active=False, by=DEPLOYER)
    typer.echo(
        f"Account {username} deactivated."
        if was_active
        else f"Account {username} was already deactivated."
    )
