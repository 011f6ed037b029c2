"""Which workflow steps to offer on a case page, by the user's role and the case's state.
Only what to show: the services decide, and refuse anything else."""

from __future__ import annotations

from dataclasses import dataclass

from paramount.casework.codes import (
    ALLOCATED_STATES,
    DELIVERY_MODEL_RULE,
    OPEN_STATES,
    RECIPIENT_RULE,
    REJECTED,
    SHARE_RULE,
    VERDICT_RULE,
    CaseState,
    Role,
    SocialCareStatus,
)
from paramount.casework.selectors.linkchart import may_export_chart
from paramount.casework.services.contact import may_record_family_contact


@dataclass(frozen=True)
class Action:
    slug: str
    label: str
    primary: bool = False


def _may_do_champion_work(user, case) -> bool:
    return user.role == Role.SUPERVISOR or (
        user.role == Role.CHAMPION and case.champion_id == user.pk
    )


def case_actions(user, case, agreements, children=()) -> list[Action]:
    """The steps this user may take on this case now, the likely next one first (and
    primary). `children` (one row per child) lets the checks step name the next child to
    check: until every child is checked, that is the next step, not "mark complete"."""
    state = case.state
    if state not in OPEN_STATES:
        return []
    out: list[Action] = []
    role = user.role
    if role in (Role.CHECKER, Role.SUPERVISOR) and state in (CaseState.NEW, CaseState.CHECKS):
        unchecked = [cc for cc in children if cc.social_care_status == SocialCareStatus.UNKNOWN
                     and cc.verdict != REJECTED]
        if unchecked:
            cc = unchecked[0]
            name = cc.child.display_name or cc.child.pseudonym
            out.append(Action(f"children/{cc.pk}/check", f"Record checks for {name}",
                              primary=True))
        out.append(Action("complete-checks", "Mark checks complete", primary=not unchecked))
    if role == Role.SUPERVISOR and (state == CaseState.READY or state in ALLOCATED_STATES):
        out.append(Action("allocate", "Allocate to a champion" if state == CaseState.READY
                          else "Reallocate", primary=state == CaseState.READY))
    if DELIVERY_MODEL_RULE.allows(role, state):
        out.append(Action("delivery-model", "Change how the family is worked with"))
    if _may_do_champion_work(user, case) and state in ALLOCATED_STATES:
        active = [a for a in agreements if a.withdrawn_at is None]
        if state == CaseState.AGREED and active:
            out.append(Action("referral", "Send the referral", primary=True))
        if state in (CaseState.ALLOCATED, CaseState.CONTACTING, CaseState.VISITED,
                     CaseState.SUPPORT_OFFERED, CaseState.DECLINED):
            out.append(Action("contact", "Record a contact attempt",
                              primary=state in (CaseState.ALLOCATED, CaseState.CONTACTING)))
        if state in (CaseState.ALLOCATED, CaseState.CONTACTING, CaseState.VISITED,
                     CaseState.SUPPORT_OFFERED):
            out.append(Action("visit", "Record a visit"))
        if state == CaseState.VISITED:
            out.append(Action("support-offered", "Record that support was offered",
                              primary=True))
        if state in (CaseState.SUPPORT_OFFERED, CaseState.DECLINED):
            out.append(Action("agreement", "Record the family's agreement",
                              primary=state == CaseState.SUPPORT_OFFERED))
        if state in (CaseState.CONTACTING, CaseState.VISITED, CaseState.SUPPORT_OFFERED,
                     CaseState.AGREED):
            out.append(Action("refusal", "Record that the family declined"))
        if may_share(user, case, agreements):
            out.append(Action("share", "Share with school / health"))
        if RECIPIENT_RULE.allows(user.role, state) and any(
            a.withdrawn_at is None for a in agreements
        ):
            out.append(Action("agreement-recipient",
                              "Add the school or health service to the agreement"))
    if role == Role.SUPERVISOR and state not in (CaseState.NEW, CaseState.CHECKS,
                                                 CaseState.REFERRED):
        out.append(Action("override-referral", "Refer without agreement (safeguarding)"))
    if role in (Role.CHECKER, Role.SUPERVISOR, Role.CHAMPION) and state not in (
        CaseState.AGREED, CaseState.REFERRED
    ) and (role != Role.CHAMPION or case.champion_id == user.pk):
        out.append(Action("not-approached", "Record that the family is not to be approached"))
    if may_record_family_contact(user, case):
        out.append(Action("contact-details", "Record how to reach the family"))
    if role in (Role.CHECKER, Role.CHAMPION, Role.SUPERVISOR):
        out.append(Action("note", "Add a note"))
    if _may_do_champion_work(user, case):
        out.append(Action("close", "Close the case"))
    return out


def may_check(user, case) -> bool:
    return user.role in (Role.CHECKER, Role.SUPERVISOR) and case.state in (
        CaseState.NEW, CaseState.CHECKS
    )


def may_record_verdict(user, case) -> bool:
    """Whether to offer the verdict page (`services.verdicts.record_verdict` decides)."""
    return VERDICT_RULE.allows(user.role, case.state) and (
        user.role != Role.CHAMPION or case.champion_id == user.pk
    )


def may_share(user, case, agreements) -> bool:
    """Whether to offer "Share with school / health": the allocated champion or a supervisor
    (`codes.SHARE_RULE`) while a standing agreement names a recipient beyond the charity
    (`services.sharing.share_with_recipient` decides)."""
    return (
        _may_do_champion_work(user, case)
        and SHARE_RULE.allows(user.role, case.state)
        and any(a.withdrawn_at is None and a.recipients.all() for a in agreements)
    )


def may_download_chart(user) -> bool:
    """Whether to offer the link chart's downloads (`selectors.linkchart` decides)."""
    return may_export_chart(user)


def may_withdraw(user, case) -> bool:
    return _may_do_champion_work(user, case) and case.state in OPEN_STATES
