"""The pages' forms. They check the shape of what was typed (required, a real date, a
choice from the list) and give GOV.UK error messages; the rules of the work (may this case
move, may this person do it) stay in the services, whose `ValidationError`s the views put
back on these forms."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from paramount.casework.codes import (
    CHARITY_SHARE_ITEMS,
    DUPLICATE,
    EMAIL_RECIPIENTS,
    REJECTED,
    VERDICT_CHOICES,
    VERDICT_REASON_CHOICES,
    AuditAction,
    ContactMethod,
    ContactOutcome,
    DeliveryModel,
    NotApproachedReason,
    Outcome,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.web.govuk import DateField

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*(am|pm)?\s*$", re.IGNORECASE)


def _choices(codes, exclude: tuple = ()) -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in codes if c not in exclude]


def _text(label: str, *, required: bool = True, message: str = "", help_text: str = "",
          max_length: int = 500) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, help_text=help_text,
        error_messages={"required": message or f"Enter {label.lower()}",
                        "max_length": f"{label} must be {max_length} characters or fewer"},
    )


def _note(label: str = "Note (optional)", *, required: bool = False, message: str = "",
          help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea, max_length=5000,
        help_text=help_text,
        error_messages={"required": message or "Write the note",
                        "max_length": "The note must be 5,000 characters or fewer"},
    )


def _radios(label: str, choices, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def _moment(day: date, typed: str) -> datetime:
    """A date and an optional time typed as 14:30 or 2.30pm, as an aware datetime; no time
    means now for today, noon for another day."""
    tz = timezone.get_current_timezone()
    if typed:
        match = _TIME.match(typed)
        hour, minute = int(match.group(1)), int(match.group(2))
        if match.group(3):
            hour = hour % 12 + (12 if match.group(3).lower() == "pm" else 0)
        return timezone.make_aware(datetime.combine(day, time(hour, minute)), tz)
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12, 0)), tz)


def _clean_time(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    match = _TIME.match(value)
    if not match:
        raise forms.ValidationError("Enter a time like 14:30 or 2.30pm")
    hour, minute = int(match.group(1)), int(match.group(2))
    limit = 12 if match.group(3) else 23
    if hour > limit or minute > 59 or (match.group(3) and hour == 0):
        raise forms.ValidationError("Enter a real time, like 14:30 or 2.30pm")
    return value


# ---------------------------------------------------------------------------------------
# Accounts


class LoginForm(forms.Form):
    username = _text("Username", message="Enter your username", max_length=150)
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput, max_length=200,
        error_messages={"required": "Enter your password"},
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code", max_length=10,
        help_text="The 6-digit code from your authenticator app.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric",
                                      "autocomplete": "one-time-code", "spellcheck": "false"}),
        error_messages={"required": "Enter the security code"},
    )

    def clean_token(self) -> str:
        token = re.sub(r"\s", "", self.cleaned_data["token"])
        if not re.fullmatch(r"\d{6}", token):
            raise forms.ValidationError("The security code must be 6 digits")
        return token


# ---------------------------------------------------------------------------------------
# Lists and searches


class CaseFilterForm(forms.Form):
    """The case search and filters. Posted, never sent as a query string: the view keeps the
    criteria on the server (`web.searches`) so no child's name reaches a URL."""

    q = forms.CharField(
        label="Search", required=False, max_length=100,
        help_text="A child's name or part of it, a postcode, a date of birth (for example "
                  "27/3/2015), a case reference or a prison number.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    state = forms.ChoiceField(label="State", required=False)
    lpa = forms.ChoiceField(label="Area", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args, states: list[tuple[str, str]], lpas: list[tuple[str, str]],
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any state"), *states]
        self.fields["lpa"].choices = [("", "Any area"), *lpas]
        self.fields["state"].error_messages["invalid_choice"] = "Choose a state from the list"
        self.fields["lpa"].error_messages["invalid_choice"] = "Choose an area from the list"

    def clean_q(self) -> str:
        from paramount.casework.selectors.search import NotARealDate, parse

        try:
            return parse(self.cleaned_data.get("q", "")).text
        except NotARealDate:
            raise forms.ValidationError(
                "The date of birth must be a real date, like 27/3/2015"
            ) from None


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label="Username", required=False, max_length=150)
    case_ref = forms.CharField(label="Case reference", required=False, max_length=64)
    child_ref = forms.CharField(label="Child's pseudonym", required=False, max_length=64)
    action = forms.ChoiceField(
        label="Action", required=False,
        choices=[("", "Any action"), *_choices(AuditAction)],
        error_messages={"invalid_choice": "Choose an action from the list"},
    )
    date_from = DateField(label_text="The from date", label="From", required=False,
                          help_text="For example, 27 3 2025")
    date_to = DateField(label_text="The to date", label="To", required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data


# ---------------------------------------------------------------------------------------
# Workflow steps


class ChildCheckForm(forms.Form):
    social_care_status = _radios(
        "Social care status",
        _choices(SocialCareStatus, exclude=(SocialCareStatus.UNKNOWN,)),
        "Select the child's social care status",
    )
    safeguarding_concern = forms.BooleanField(
        label="There is a significant safeguarding concern", required=False
    )
    social_worker_name = _text("Allocated social worker's name", required=False,
                               help_text="If the child is open to social care or early help.")
    social_worker_email = forms.EmailField(
        label="Allocated social worker's email", required=False, max_length=254,
        help_text="They will be told of the imprisonment by email.",
        error_messages={"invalid": "Enter an email address in the correct format, like "
                                   "name@example.org"},
    )
    note = _note()


class VerdictForm(forms.Form):
    """Is this the prisoner's child? The reason and the duplicated child are shown only for a
    rejection (GOV.UK conditional reveal, `cases/verdict.html`)."""

    verdict = _radios("Is this the prisoner's child?", VERDICT_CHOICES,
                      "Select whether this is the prisoner's child")
    reason = forms.ChoiceField(
        label="Why is the child rejected?", required=False,
        choices=[("", "Choose a reason"), *VERDICT_REASON_CHOICES],
        error_messages={"invalid_choice": "Choose a reason from the list"},
    )
    duplicate_of = forms.ChoiceField(
        label="Which child of this case is it a duplicate of?", required=False,
        help_text="Only for a duplicate: the same child listed twice.",
        error_messages={"invalid_choice": "Choose another child of this case"},
    )
    note = _note(help_text="Needed if you chose another reason.")

    def __init__(self, *args, others: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicate_of"].choices = [("", "Not a duplicate"), *others]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("verdict") != REJECTED:
            data["reason"], data["duplicate_of"] = "", ""  # hidden, whatever they held
        elif not data.get("reason"):
            self.add_error("reason", "Select why the child is rejected")
        elif data["reason"] != DUPLICATE:
            data["duplicate_of"] = ""
        elif not data.get("duplicate_of"):
            self.add_error("duplicate_of", "Select the child this one duplicates")
        return data


class _TelInput(forms.TextInput):
    input_type = "tel"


class FamilyContactForm(forms.Form):
    phone = forms.CharField(
        label="Phone number (optional)", required=False, max_length=32,
        widget=_TelInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
        error_messages={"max_length": "The phone number must be 32 characters or fewer"},
    )
    email = forms.EmailField(
        label="Email address (optional)", required=False, max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"invalid": "Enter an email address in the correct format, like "
                                   "name@example.org"},
    )
    safe_times = _text("When it is safe to call (optional)", required=False, max_length=300,
                       help_text="For example, ‘weekdays after 3pm, not when the children are "
                                 "home’.")
    language = _text("Language the family speaks (optional)", required=False, max_length=100)
    interpreter_needed = forms.BooleanField(label="An interpreter is needed", required=False)


class CompleteChecksForm(forms.Form):
    note = _note()


class NotApproachedForm(forms.Form):
    reason = _radios("Why is the family not to be approached?",
                     _choices(NotApproachedReason), "Select why the family is not approached")
    note = _note(help_text="Needed if you chose ‘Other’.")


def _delivery_model(*, required: bool = True) -> forms.ChoiceField:
    field = _radios("How will the family be worked with?", _choices(DeliveryModel),
                    "Select how the family will be worked with")
    field.required = required
    return field


class AllocateForm(forms.Form):
    champion = _radios("Champion", [], "Select the champion to allocate the case to")
    # Pre-selected (a named champion, or the case's model at reallocation); left out, the
    # service keeps that default.
    delivery_model = _delivery_model(required=False)
    note = _note()

    def __init__(self, *args, champions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["champion"].choices = champions


class DeliveryModelForm(forms.Form):
    delivery_model = _delivery_model()
    note = _note("Why it changed", required=True, message="Say why it changed")


class ContactAttemptForm(forms.Form):
    day = DateField(label="Date of the attempt", label_text="The date of the attempt",
                    help_text="For example, 27 3 2025")
    at_time = forms.CharField(label="Time (optional)", required=False, max_length=10,
                              help_text="For example, 14:30",
                              widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}))
    method = _radios("How did you try to make contact?", _choices(ContactMethod),
                     "Select how you tried to make contact")
    outcome = _radios("What happened?", _choices(ContactOutcome), "Select what happened")
    note = _note()

    def clean_at_time(self) -> str:
        return _clean_time(self.cleaned_data.get("at_time", ""))

    def moment(self) -> datetime:
        return _moment(self.cleaned_data["day"], self.cleaned_data.get("at_time", ""))


class VisitForm(forms.Form):
    visited_on = DateField(label="Date of the visit", label_text="The date of the visit",
                           help_text="For example, 27 3 2025")
    present = _text("Who was present", message="Enter who was present",
                    help_text="Roles or first names, for example ‘mother, two children’.")
    needs = _note("Needs the family described (optional)")
    support_offered = forms.BooleanField(
        label="The charity's support was offered at the visit", required=False
    )


class SupportOfferedForm(forms.Form):
    note = _note()


class AgreementForm(forms.Form):
    agreed_by_name = _text("Name of the person who agreed", message="Enter who agreed",
                           max_length=200)
    agreed_by_relationship = _text(
        "Who they are to the children", max_length=100,
        message="Enter who they are to the children", help_text="For example, mother, grandparent."
    )
    agreed_on = DateField(label="Date they agreed", label_text="The date they agreed")
    children = forms.MultipleChoiceField(
        label="Which children the referral is for", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the children the agreement covers",
                        "invalid_choice": "Select children of this case only"},
    )
    may_share = forms.MultipleChoiceField(
        label="What may be shared with the charity", widget=forms.CheckboxSelectMultiple,
        choices=[(c.value, c.label) for c in CHARITY_SHARE_ITEMS],
        error_messages={"required": "Select what may be shared with the charity",
                        "invalid_choice": "Select items from the list"},
    )
    note = _note()

    def __init__(self, *args, children: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = children

    def moment(self) -> datetime:
        return _moment(self.cleaned_data["agreed_on"], "")


class RecipientForm(forms.Form):
    """One recipient beyond the charity the family agreed to (a page of its own, after the
    agreement): who, where to email, which children, what they may be told."""

    kind = _radios("Who the family agreed to share with",
                   [(k.value, k.label) for k in EMAIL_RECIPIENTS],
                   "Select the school or the health service")
    organisation = _text("Name of the school or health service", max_length=200,
                         message="Enter the name of the school or health service")
    contact_name = _text(
        "Name of the designated safeguarding lead, health visitor or school nurse (optional)",
        required=False, max_length=200)
    email = forms.EmailField(
        label="Email to send to", max_length=254,
        help_text="The designated safeguarding lead's, or the health visitor's or school "
                  "nurse's, work email.",
        error_messages={"required": "Enter the email to send to",
                        "invalid": "Enter an email address, like name@school.example"})
    agreed_on = DateField(label="Date the family agreed", label_text="The date the family agreed")
    children = forms.MultipleChoiceField(
        label="Which children they may be told about", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the children they may be told about",
                        "invalid_choice": "Select children the agreement covers"},
    )
    may_share = forms.MultipleChoiceField(
        label="What they may be told", widget=forms.CheckboxSelectMultiple,
        choices=_choices(ShareItem),
        error_messages={"required": "Select what they may be told",
                        "invalid_choice": "Select items from the list"},
    )

    def __init__(self, *args, children: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = children

    def moment(self) -> datetime:
        return _moment(self.cleaned_data["agreed_on"], "")


class ShareForm(forms.Form):
    recipient = _radios("Who to share with", [], "Select who to share with")

    def __init__(self, *args, recipients: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = recipients


class RefusalForm(forms.Form):
    declined_on = DateField(label="Date they declined (optional)",
                            label_text="The date they declined", required=False,
                            help_text="For example, 27 3 2025. Leave it empty for today.")
    note = _note(help_text="The family's choice, in their words if they gave any.")


class ReferralForm(forms.Form):
    agreement = _radios("The family's agreement", [], "Select the family's agreement")

    def __init__(self, *args, agreements: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = agreements


class OverrideReferralForm(forms.Form):
    override_reason = _note(
        "The significant safeguarding concern", required=True,
        message="Enter the safeguarding concern that justifies referring without agreement",
        help_text="Recorded with your name as the supervisor who decided.",
    )


class CloseForm(forms.Form):
    outcome = _radios("Outcome", _choices(Outcome, exclude=(Outcome.NOT_APPROACHED,)),
                      "Select the outcome")
    note = _note(help_text="Needed if you chose ‘Other’.")


class NoteForm(forms.Form):
    text = _note("Note", required=True, message="Write the note")


class WithdrawForm(forms.Form):
    withdrawn_on = DateField(label="Date they withdrew (optional)",
                             label_text="The date they withdrew", required=False,
                             help_text="For example, 27 3 2025. Leave it empty for today.")
    note = _note(help_text="How the family withdrew.")


class ReviewDecisionForm(forms.Form):
    decision = _radios(
        "Is this the prisoner's child?",
        [("accept", "Yes: open or join a case"), ("reject", "No: reject the candidate")],
        "Select whether this is the prisoner's child",
    )
    note = _note(help_text="Needed to reject, so the next analyst knows why.")

