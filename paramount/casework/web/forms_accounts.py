"""The account pages' forms: adding and editing an account (choices limited to what the
actor may grant: `selectors.accounts`), and choosing a password from the emailed link.

They check the shape of what was typed; the services check the rules again (a tampered
form is refused there, and logged)."""

from __future__ import annotations

from django import forms

from paramount.casework.codes import Role
from paramount.casework.models import LPA, Force, PartnerOrganisation, User
from paramount.casework.selectors.accounts import (
    USERNAME_MAX,
    Actor,
    areas_required,
    assignable_roles,
    grantable_forces,
    grantable_lpas,
)

EMAIL_ERRORS = {
    "required": "Enter an email address",
    "invalid": "Enter an email address in the correct format, like name@example.org",
    "max_length": "The email address must be 254 characters or fewer",
}


def _name(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=150,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"{label} must be 150 characters or fewer",
        },
    )


class AccountForm(forms.Form):
    """Add an account (with `username`, and a force if the actor has none) or edit one
    (`account`): role, areas, partner organisation, email, names."""

    username = forms.CharField(
        label="Username",
        max_length=USERNAME_MAX,
        help_text="Letters, digits and @ . + - _ only. It cannot be changed later.",
        error_messages={
            "required": "Enter a username",
            "max_length": f"The username must be {USERNAME_MAX} characters or fewer",
        },
    )
    first_name = _name("First name")
    last_name = _name("Last name")
    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        help_text="Their work address: the link to choose a password is sent there.",
    )
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role"},
    )
    force = forms.ModelChoiceField(
        label="Force",
        queryset=Force.objects.none(),
        empty_label="Choose a force",
        error_messages={
            "required": "Choose the force",
            "invalid_choice": "Choose a force from the list",
        },
    )
    lpas = forms.ModelMultipleChoiceField(
        label="Areas",
        queryset=LPA.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose areas from the list",
            "invalid_pk_value": "Choose areas from the list",
            "required": "Choose at least one area",
        },
    )
    organisation = forms.ModelChoiceField(
        label="Partner organisation",
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        empty_label="None (not a partner account)",
        help_text="Partner accounts only: the charity they work for.",
        error_messages={"invalid_choice": "Choose a partner organisation from the list"},
    )

    def __init__(self, *args, actor: Actor, account: User | None = None, **kwargs) -> None:
        if account is not None:
            kwargs.setdefault(
                "initial",
                {
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "email": account.email,
                    "role": account.role,
                    "lpas": [lpa.pk for lpa in account.lpas.all()],
                    "organisation": account.organisation_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.actor, self.account = actor, account
        self.fields["role"].choices = [(r, Role(r).label) for r in assignable_roles(actor)]
        forces = grantable_forces(actor)
        if account is not None:
            del self.fields["username"]
            del self.fields["force"]
            force = account.force
        elif getattr(actor, "force_id", None) is not None:
            del self.fields["force"]
            force = actor.force
        else:
            self.fields["force"].queryset = forces
            self.fields["force"].required = False  # an administrator of every force needs none
            self.fields["force"].empty_label = "None (an administrator of every force)"
            self.fields["force"].help_text = "Every account but an administrator's has a force."
            force = None
        if force is not None:
            self.fields["lpas"].queryset = grantable_lpas(actor, force)
            self.fields["organisation"].queryset = PartnerOrganisation.objects.filter(
                force=force
            ).order_by("name")
        else:  # an administrator of every force: any force's areas and partners
            self.fields["lpas"].queryset = LPA.objects.select_related("force").order_by(
                "force__name", "name", "code"
            )
            self.fields["lpas"].label_from_instance = lambda lpa: f"{lpa} ({lpa.force.code})"
            self.fields["organisation"].queryset = PartnerOrganisation.objects.select_related(
                "force"
            ).order_by("force__name", "name")
            self.fields["organisation"].label_from_instance = lambda org: (
                f"{org} ({org.force.code})"
            )
        if Role.PARTNER not in assignable_roles(actor):
            del self.fields["organisation"]
        if areas_required(actor):
            self.fields["lpas"].required = True
            self.fields["lpas"].help_text = "Choose at least one. You may give only your own areas."
        else:
            self.fields[
                "lpas"
            ].help_text = "None chosen means the whole force. Choose some to limit what they see."

    def clean(self) -> dict:
        data = super().clean()
        if (
            "force" in self.fields
            and data.get("force") is None
            and data.get("role") not in (None, Role.ADMINISTRATOR)
            and "force" not in self.errors
        ):
            self.add_error("force", "Choose the force")
        if "organisation" not in self.fields:
            data["organisation"] = None
            return data
        role, organisation = data.get("role"), data.get("organisation")
        if role == Role.PARTNER and organisation is None and "organisation" not in self.errors:
            self.add_error("organisation", "Choose the partner organisation of a partner account")
        if role and role != Role.PARTNER and organisation is not None:
            self.add_error(
                "organisation", "Only a partner account has a partner organisation: choose None"
            )
        return data


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label="New password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=200,
        help_text="At least 12 characters. Not a common password, not all digits, not like "
        "your username.",
        error_messages={
            "required": "Enter a password",
            "max_length": "The password must be 200 characters or fewer",
        },
    )
    confirm = forms.CharField(
        label="Confirm the password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=200,
        error_messages={
            "required": "Enter the password again",
            "max_length": "The password must be 200 characters or fewer",
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("confirm") and data["password"] != data["confirm"]:
            self.add_error("confirm", "The passwords do not match")
        return data
