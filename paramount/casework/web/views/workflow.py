"""One page per workflow step (GOV.UK's one thing per page): GET shows the form, POST calls
the service. Bad input shows the error summary and changes nothing; a refusal is a 403 or
404 page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from paramount.casework.codes import ShareItem
from paramount.casework.models import FamilyContact, User
from paramount.casework.selectors import cases as case_selectors
from paramount.casework.selectors.cases import CaseDetail
from paramount.casework.services import contact, delivery, sharing, verdicts, workflow
from paramount.casework.web import actions
from paramount.casework.web import forms as f
from paramount.casework.web.govuk import Hinted
from paramount.casework.web.rendering import render
from paramount.casework.web.views.common import apply_errors, form_context, page


def _child_choices(d: CaseDetail) -> list[tuple[str, str]]:
    """The children an agreement may cover: not those rejected (`services.verdicts`)."""
    return [
        (str(cc.pk), f"{cc.child.display_name or cc.child.pseudonym}"
         + (f" (age {cc.child_age})" if cc.child_age is not None else ""))
        for cc in d.children if not cc.rejected
    ]


def _agreement_choices(d: CaseDetail) -> list[tuple[str, str]]:
    return [
        (str(a.pk), f"{a.agreed_by_name} ({a.agreed_by_relationship}), "
         f"{a.agreed_at:%d %B %Y}")
        for a in d.agreements if a.withdrawn_at is None
    ]


def _share_choices(d: CaseDetail) -> list[tuple[str, Hinted]]:
    """The recipients a standing agreement covers, each with its children and items."""
    choices = []
    for agreement in d.agreements:
        if agreement.withdrawn_at is not None:
            continue
        for r in agreement.recipients.all():
            names = ", ".join(cc.child.display_name or cc.child.pseudonym
                              for cc in r.children.all() if not cc.rejected)
            items = "; ".join(ShareItem(i).label.lower() for i in r.may_share)
            who = f"{r.organisation}" + (f" ({r.contact_name})" if r.contact_name else "")
            choices.append((str(r.pk), Hinted(
                f"{r.get_kind_display()}: {who}, {r.email}",
                hint=f"About {names or 'nobody (every child rejected since)'}. "
                     f"May be told: {items}.")))
    return choices


def _standing_agreement(d: CaseDetail):
    """The case's newest agreement the family has not withdrawn (None if none)."""
    return next((a for a in reversed(d.agreements) if a.withdrawn_at is None), None)


def _recipient_child_choices(d: CaseDetail) -> list[tuple[str, str]]:
    """The children a recipient may be told about: the standing agreement's, not rejected."""
    agreement = _standing_agreement(d)
    if agreement is None:
        return []
    return [
        (str(cc.pk), cc.child.display_name or cc.child.pseudonym)
        for cc in agreement.children.all() if not cc.rejected
    ]


def _add_recipient(user: User, d: CaseDetail, c: dict[str, Any], form: forms.Form) -> Any:
    agreement = _standing_agreement(d)
    if agreement is None:
        raise ValidationError("The family has no agreement in force.")
    return sharing.add_recipient(
        user=user, agreement=agreement, kind=c["kind"], organisation=c["organisation"],
        contact_name=c["contact_name"], email=c["email"],
        children=[int(x) for x in c["children"]], may_share=c["may_share"],
        agreed_at=form.moment())


def _share(user: User, d: CaseDetail, c: dict[str, Any], _form: forms.Form) -> Any:
    """Share with the chosen recipient about its children (a child rejected since is left
    out; the service refuses if none is left)."""
    found = next((r for a in d.agreements for r in a.recipients.all()
                  if str(r.pk) == c["recipient"]), None)
    if found is None:
        raise ValidationError({"recipient": "Select who to share with"})
    return sharing.share_with_recipient(
        user=user, case=d.case, recipient_kind=found.kind, recipient=found.pk,
        children=[cc.pk for cc in found.children.all() if not cc.rejected])


def _champion_label(champion: User) -> Hinted:
    """The champion's name, with their open cases and areas as the item's hint."""
    n = champion.open_cases
    areas = ", ".join(champion.area_names) or "the whole force"
    return Hinted(champion.get_full_name() or champion.get_username(),
                  hint=f"{n} open case{'' if n == 1 else 's'}; covers {areas}")


@dataclass(frozen=True)
class Step:
    title: str
    form: type[forms.Form]
    act: Callable[[User, CaseDetail, dict[str, Any], forms.Form], Any]
    done: str
    button: str = "Save"
    form_kwargs: Callable[[User, CaseDetail], dict[str, Any]] | None = None
    field_map: dict[str, str] | None = None
    warning: str = ""


STEPS: dict[str, Step] = {
    "complete-checks": Step(
        "Mark the checks complete", f.CompleteChecksForm,
        lambda u, d, c, _: workflow.complete_checks(user=u, case=d.case, note=c["note"]),
        "Checks marked complete: the case is ready to allocate.", "Mark complete",
    ),
    "allocate": Step(
        "Allocate to a champion", f.AllocateForm,
        lambda u, d, c, _: workflow.allocate_case(
            user=u, case=d.case, champion=int(c["champion"]), note=c["note"],
            delivery_model=c["delivery_model"] or None),
        "Case allocated. The champion has been sent an email.", "Allocate",
        form_kwargs=lambda u, d: {
            "champions": [(str(ch.pk), _champion_label(ch))
                          for ch in case_selectors.champions_for(u, d.case)],
            "initial": {"delivery_model": d.case.delivery_model},
        },
    ),
    "delivery-model": Step(
        "Change how the family is worked with", f.DeliveryModelForm,
        lambda u, d, c, _: delivery.change_delivery_model(
            user=u, case=d.case, delivery_model=c["delivery_model"], note=c["note"]),
        "Recorded how the family is now worked with.", "Save",
        form_kwargs=lambda u, d: {"initial": {"delivery_model": d.case.delivery_model}},
    ),
    "contact": Step(
        "Record a contact attempt", f.ContactAttemptForm,
        lambda u, d, c, form: workflow.record_contact_attempt(
            user=u, case=d.case, at=form.moment(), method=c["method"], outcome=c["outcome"],
            note=c["note"]),
        "Contact attempt recorded.", field_map={"at": "day"},
    ),
    "visit": Step(
        "Record a visit", f.VisitForm,
        lambda u, d, c, _: workflow.record_visit(
            user=u, case=d.case, visited_on=c["visited_on"], present=c["present"],
            needs=c["needs"], support_offered=c["support_offered"]),
        "Visit recorded.",
    ),
    "support-offered": Step(
        "Record that support was offered", f.SupportOfferedForm,
        lambda u, d, c, _: workflow.record_support_offered(user=u, case=d.case, note=c["note"]),
        "Recorded that the charity's support was offered.",
    ),
    "agreement": Step(
        "Record the family's agreement to a referral", f.AgreementForm,
        lambda u, d, c, form: workflow.record_agreement(
            user=u, case=d.case, agreed_by_name=c["agreed_by_name"],
            agreed_by_relationship=c["agreed_by_relationship"], agreed_at=form.moment(),
            children=[int(x) for x in c["children"]], may_share=c["may_share"],
            note=c["note"]),
        "The family's agreement is recorded. You can now send the referral.",
        form_kwargs=lambda u, d: {"children": _child_choices(d)},
        field_map={"agreed_at": "agreed_on"},
        warning="Only what the family agreed to share will be in the referral pack.",
    ),
    "agreement-recipient": Step(
        "Add the school or health service to the agreement", f.RecipientForm, _add_recipient,
        "Added to the family's agreement. You can now share with them.", "Add",
        form_kwargs=lambda u, d: {"children": _recipient_child_choices(d)},
        field_map={"agreed_at": "agreed_on"},
        warning="Only what the family agreed this recipient may be told will be sent to them, "
                "and only about the children chosen here.",
    ),
    "share": Step(
        "Share with school / health", f.ShareForm, _share,
        "Shared. The email holds only what the family agreed to.", "Share",
        form_kwargs=lambda u, d: {"recipients": _share_choices(d)},
        warning="This emails the recipient what the family agreed they may be told, and "
                "nothing else. It is recorded as a disclosure.",
    ),
    "refusal": Step(
        "Record that the family declined", f.RefusalForm,
        lambda u, d, c, _: workflow.record_refusal(user=u, case=d.case, note=c["note"],
                                                   declined_on=c.get("declined_on")),
        "Recorded that the family declined the referral.",
    ),
    "referral": Step(
        "Send the referral to the charity", f.ReferralForm,
        lambda u, d, c, _: workflow.send_referral(user=u, case=d.case,
                                                  agreement=int(c["agreement"])),
        "Referral sent to the charity.", "Send referral",
        form_kwargs=lambda u, d: {"agreements": _agreement_choices(d)},
    ),
    "override-referral": Step(
        "Refer without the family's agreement", f.OverrideReferralForm,
        lambda u, d, c, _: workflow.send_referral(user=u, case=d.case,
                                                  override_reason=c["override_reason"]),
        "Referral sent on a safeguarding override.", "Send referral",
        warning="Only for a significant safeguarding concern. The children's names, dates "
                "of birth and address go to the charity without the family's agreement, "
                "with your name and email for them to ask you about the concern; the reason "
                "stays here.",
    ),
    "contact-details": Step(
        "How to reach the family", f.FamilyContactForm,
        lambda u, d, c, _: contact.record_family_contact(
            user=u, case=d.case, phone=c["phone"], email=c["email"],
            safe_times=c["safe_times"], language=c["language"],
            interpreter_needed=c["interpreter_needed"]),
        "Contact details saved.", "Save contact details",
        form_kwargs=lambda u, d: {"initial": {
            name: getattr(d.family_contact, name) for name in FamilyContact.FIELDS
        } if d.family_contact else {}},
        warning="Only the checkers, the champion and supervisors see these details.",
    ),
    "not-approached": Step(
        "Record that the family is not to be approached", f.NotApproachedForm,
        lambda u, d, c, _: workflow.record_not_approached(user=u, case=d.case,
                                                          reason=c["reason"], note=c["note"]),
        "Recorded: the family is not to be approached. The case is closed.",
        warning="This closes the case.",
    ),
    "note": Step(
        "Add a note", f.NoteForm,
        lambda u, d, c, _: workflow.add_case_note(user=u, case=d.case, text=c["text"]),
        "Note added.",
    ),
    "close": Step(
        "Close the case", f.CloseForm,
        lambda u, d, c, _: workflow.close_case(user=u, case=d.case, outcome=c["outcome"],
                                               note=c["note"]),
        "Case closed.", "Close case",
    ),
}


def _run_step(request: HttpRequest, detail: CaseDetail, step: Step, *,
              title: str | None = None, act=None, form_kwargs=None,
              template: str = "cases/step.html", extra: dict | None = None) -> HttpResponse:
    kwargs = form_kwargs if form_kwargs is not None else (
        step.form_kwargs(request.user, detail) if step.form_kwargs else {}
    )
    form = step.form(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            (act or step.act)(request.user, detail, form.cleaned_data, form)
        except ValidationError as error:
            apply_errors(form, error, step.field_map)
        else:
            messages.success(request, step.done)
            return HttpResponseRedirect(f"/cases/{detail.case.reference}/")
    context = form_context(form)
    context.update(d=detail, case=detail.case, step=step, title=title or step.title,
                   **(extra or {}))
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@page
def step(request: HttpRequest, reference: str, slug: str) -> HttpResponse:
    found = STEPS.get(slug)
    detail = case_selectors.case_detail(request.user, reference)
    if found is None:
        return render(request, "404.html", status=404)
    offered = {a.slug for a in actions.case_actions(request.user, detail.case, detail.agreements)}
    if slug not in offered:
        raise PermissionDenied("This step is not open to you on this case now.")
    return _run_step(request, detail, found)


CHECK = Step(
    "Record the checks for a child", f.ChildCheckForm, lambda *a: None,
    "Checks recorded for the child.",
)


@require_http_methods(["GET", "POST"])
@page
def child_check(request: HttpRequest, reference: str, case_child_id: int) -> HttpResponse:
    detail = case_selectors.case_detail(request.user, reference)
    cc = next((c for c in detail.children if c.pk == case_child_id), None)
    if cc is None:
        return render(request, "404.html", status=404)
    if not actions.may_check(request.user, detail.case):
        raise PermissionDenied("Checks are recorded by checkers and supervisors.")

    def act(user, d, c, _form):
        return workflow.record_child_check(
            user=user, case_child=cc, social_care_status=c["social_care_status"],
            safeguarding_concern=c["safeguarding_concern"],
            social_worker_name=c["social_worker_name"],
            social_worker_email=c["social_worker_email"], note=c["note"])

    name = cc.child.display_name or cc.child.pseudonym
    return _run_step(request, detail, CHECK, title=f"Checks for {name}", act=act)


VERDICT = Step(
    "Is this the prisoner's child?", f.VerdictForm, lambda *a: None,
    "Verdict recorded for the child.", "Save verdict",
    warning="A rejected child is taken out of the family's approach: they are not checked, "
            "contacted about or referred.",
)


def _child_label(cc, several_receptions: bool) -> str:
    name = cc.child.display_name or cc.child.pseudonym
    born = cc.child.date_of_birth
    label = f"{name} (born {born.day} {born:%B %Y})" if born else name
    if several_receptions:
        label += f", prisoner {cc.reception.prisoner.prisoner_number}"
    return label


@require_http_methods(["GET", "POST"])
@page
def child_verdict(request: HttpRequest, reference: str, case_child_id: int) -> HttpResponse:
    """Record whether a child row is the prisoner's child (`services.verdicts`)."""
    detail = case_selectors.case_detail(request.user, reference)
    cc = next((c for c in detail.links if c.pk == case_child_id), None)
    if cc is None:
        return render(request, "404.html", status=404)
    if not actions.may_record_verdict(request.user, detail.case):
        raise PermissionDenied("Verdicts are recorded by checkers, the champion and "
                               "supervisors.")
    several = len(detail.links) > len(detail.children)
    others = [(str(o.pk), _child_label(o, several)) for o in detail.links if o.pk != cc.pk]
    initial = {"verdict": cc.verdict, "reason": cc.verdict_reason,
               "duplicate_of": str(cc.duplicate_of_id or "")} if cc.verdict else {}

    def act(user, d, c, _form):
        return verdicts.record_verdict(
            user=user, case_child=cc, verdict=c["verdict"], reason=c["reason"],
            duplicate_of=int(c["duplicate_of"]) if c["duplicate_of"] else None,
            note=c["note"])

    name = cc.child.display_name or cc.child.pseudonym
    return _run_step(request, detail, VERDICT, title=f"Is {name} the prisoner's child?",
                     act=act, form_kwargs={"others": others, "initial": initial},
                     template="cases/verdict.html", extra={"cc": cc})


WITHDRAW = Step(
    "Record that the family withdrew their agreement", f.WithdrawForm, lambda *a: None,
    "Withdrawal recorded. The charity no longer sees the referral.", "Record withdrawal",
    warning="The charity will stop seeing this referral straight away.",
)


@require_http_methods(["GET", "POST"])
@page
def withdraw(request: HttpRequest, reference: str, agreement_id: int) -> HttpResponse:
    detail = case_selectors.case_detail(request.user, reference)
    agreement = next((a for a in detail.agreements if a.pk == agreement_id), None)
    if agreement is None:
        return render(request, "404.html", status=404)
    if not actions.may_withdraw(request.user, detail.case):
        raise PermissionDenied("Only the allocated champion or a supervisor records this.")

    def act(user, d, c, _form):
        return workflow.withdraw_agreement(user=user, agreement=agreement, note=c["note"],
                                           withdrawn_on=c.get("withdrawn_on"))

    return _run_step(request, detail, WITHDRAW, act=act)
