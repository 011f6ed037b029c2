"""Every code list of casework in one place: roles, case states and the moves between them,
event codes, contact methods and outcomes, reasons not to approach, closing outcomes.

Labels are the words a user sees; values are what the database and the event log keep, so a
value never changes once used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models

from paramount.contract.tables import VERDICT_REASONS, VERDICTS


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    CHECKER = "checker", "Research and intelligence checker"
    CHAMPION = "champion", "Champion"
    SUPERVISOR = "supervisor", "Supervisor"
    PARTNER = "partner", "Partner (charity)"
    EVALUATOR = "evaluator", "Evaluator"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles that may read case and child records (within their force, LPAs and, for champions,
# their own allocations). Partners read referrals only; evaluators aggregates only; auditors
# the audit log; administrators users.
CASE_READERS = frozenset({Role.ANALYST, Role.CHECKER, Role.CHAMPION, Role.SUPERVISOR})


class CaseState(models.TextChoices):
    NEW = "new", "New"
    CHECKS = "checks", "Checks in progress"
    READY = "ready", "Ready to allocate"
    ALLOCATED = "allocated", "Allocated"
    CONTACTING = "contacting", "Contacting the family"
    VISITED = "visited", "Visited"
    SUPPORT_OFFERED = "support_offered", "Support offered"
    AGREED = "agreed", "Family agreed to referral"
    DECLINED = "declined", "Family declined referral"
    REFERRED = "referred", "Referred"
    CLOSED = "closed", "Closed"


OPEN_STATES = frozenset(s for s in CaseState if s != CaseState.CLOSED)

# The moves the workflow allows: state -> states it may go to. Closing, "not approached" and
# reallocation are checked by their own services (closing is allowed from any open state).
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseState.NEW: frozenset({CaseState.CHECKS, CaseState.READY}),
    CaseState.CHECKS: frozenset({CaseState.CHECKS, CaseState.READY}),
    CaseState.READY: frozenset({CaseState.ALLOCATED}),
    CaseState.ALLOCATED: frozenset({CaseState.CONTACTING, CaseState.VISITED}),
    CaseState.CONTACTING: frozenset({CaseState.CONTACTING, CaseState.VISITED, CaseState.DECLINED}),
    CaseState.VISITED: frozenset({CaseState.SUPPORT_OFFERED, CaseState.DECLINED}),
    CaseState.SUPPORT_OFFERED: frozenset({CaseState.AGREED, CaseState.DECLINED}),
    CaseState.AGREED: frozenset({CaseState.REFERRED, CaseState.DECLINED}),
    CaseState.DECLINED: frozenset({CaseState.AGREED}),
    CaseState.REFERRED: frozenset({CaseState.DECLINED}),
    CaseState.CLOSED: frozenset(),
}

# States in which a champion holds the case (reallocation keeps the state).
ALLOCATED_STATES = frozenset(
    {
        CaseState.ALLOCATED,
        CaseState.CONTACTING,
        CaseState.VISITED,
        CaseState.SUPPORT_OFFERED,
        CaseState.AGREED,
        CaseState.DECLINED,
        CaseState.REFERRED,
    }
)

# The funnel a lead watches, in order: each stage is reached when its event is logged.
FUNNEL = (
    ("identified", "case_opened"),
    ("checked", "checks_completed"),
    ("allocated", "allocated"),
    ("contacted", "contact_attempt"),
    ("visited", "visit"),
    ("offered", "support_offered"),
    ("agreed", "agreement_recorded"),
    ("referred", "referral_sent"),
)


class EventCode(models.TextChoices):
    """What happened to a case: the case event log's vocabulary."""

    CASE_OPENED = "case_opened", "Case opened from an identification run"
    CHILD_ADDED = "child_added", "Child added to the case"
    RECEPTION_LINKED = "reception_linked", "A further reception linked to a child in the case"
    EVIDENCE_UPDATED = "evidence_updated", "Evidence updated by a later run"
    CHECK_RECORDED = "check_recorded", "Check recorded for a child"
    SOCIAL_WORKER_NOTIFIED = "social_worker_notified", "Allocated social worker told"
    CHECKS_COMPLETED = "checks_completed", "Checks completed"
    NOT_APPROACHED = "not_approached", "Family not to be approached"
    ALLOCATED = "allocated", "Allocated to a champion"
    CHAMPION_NOTIFIED = "champion_notified", "Champion notified"
    CONTACT_ATTEMPT = "contact_attempt", "Contact attempt"
    VISIT = "visit", "Visit"
    SUPPORT_OFFERED = "support_offered", "Support offered"
    AGREEMENT_RECORDED = "agreement_recorded", "Family agreed to referral"
    REFUSAL_RECORDED = "refusal_recorded", "Family declined referral"
    AGREEMENT_WITHDRAWN = "agreement_withdrawn", "Family withdrew agreement"
    REFERRAL_SENT = "referral_sent", "Referral sent"
    REFERRAL_ACKNOWLEDGED = "referral_acknowledged", "Referral acknowledged by the partner"
    CONTACT_DETAILS_UPDATED = "contact_details_updated", "Contact details updated"
    NOTE = "note", "Note"
    CLOSED = "closed", "Closed"
    REVIEWED = "reviewed", "Retention review: kept"
    VERDICT_RECORDED = "verdict_recorded", "Verdict recorded for a child"
    DELIVERY_MODEL_CHANGED = "delivery_model_changed", "How the case is delivered changed"
    RECIPIENT_AGREED = (
        "recipient_agreed",
        "Family agreed to share with the school or health service",
    )
    SHARED_WITH_RECIPIENT = (
        "shared_with_recipient",
        "Shared with the school or health service (family's agreement)",
    )


# ---------------------------------------------------------------------------------------
# Verdicts: whether each listed child really is the prisoner's child (the contract's
# `verdicts.csv`, `paramount.contract.tables.VERDICTS` and `VERDICT_REASONS`). The values are
# the contract's own; these are only the words a user sees.

VERDICT_LABELS: dict[str, str] = {
    "CONFIRMED": "Confirmed: the prisoner's child, or a child in their care",
    "REJECTED": "Rejected: not to be approached about this prisoner",
}
VERDICT_REASON_LABELS: dict[str, str] = {
    "NOT_RELATED": "Not related to the prisoner",
    "SIBLING": "The prisoner's brother or sister",
    "OTHER_RELATIVE": "Another relative, not the prisoner's child (a niece, a grandchild)",
    "RELATIONSHIP_ENDED": "The relationship had ended before the prisoner was received",
    "ADULT": "18 or over when the prisoner was received",
    "NOT_BORN": "Not yet born when the prisoner was received",
    "DUPLICATE": "The same child as another child listed in this case",
    "OTHER": "Another reason (say why in the note)",
}
if tuple(VERDICT_LABELS) != VERDICTS or tuple(VERDICT_REASON_LABELS) != VERDICT_REASONS:
    raise ImportError("casework's verdict words do not match the contract's codes")
CONFIRMED, REJECTED = VERDICTS
DUPLICATE = "DUPLICATE"
VERDICT_CHOICES = [(v, VERDICT_LABELS[v]) for v in VERDICTS]
VERDICT_REASON_CHOICES = [(r, VERDICT_REASON_LABELS[r]) for r in VERDICT_REASONS]


@dataclass(frozen=True)
class EventRule:
    """Who may append an event, and in which case states (cla_backend's declarative event
    codes, with the permission beside the meaning). The service checks it; the scope
    (`selectors.scope.visible_cases`) still limits a champion to their own allocations."""

    code: str
    states_by_role: Mapping[str, frozenset[str]]

    def allows(self, role: str, state: str) -> bool:
        return state in self.states_by_role.get(role, frozenset())


# A verdict: a checker at the research and intelligence check, the allocated champion from
# allocation to the end of the family's approach (the first call is where most are learnt),
# a supervisor at any point while the case is open. Nobody else (least privilege: analysts,
# partners, evaluators, auditors and administrators never decide who a family's children are).
VERDICT_RULE = EventRule(
    EventCode.VERDICT_RECORDED,
    {
        Role.CHECKER: frozenset({CaseState.NEW, CaseState.CHECKS}),
        Role.CHAMPION: ALLOCATED_STATES,
        Role.SUPERVISOR: OPEN_STATES,
    },
)
# Sharing with the school or health service on the family's agreement: the allocated
# champion, or a supervisor acting for them, while the agreement stands (agreed or referred;
# a family that declined, or withdrew, stops it: `services.sharing`). The same people, in the
# same states, add such a recipient to a standing agreement.
_AGREEMENT_STANDS = frozenset({CaseState.AGREED, CaseState.REFERRED})
SHARE_RULE = EventRule(
    EventCode.SHARED_WITH_RECIPIENT,
    {Role.CHAMPION: _AGREEMENT_STANDS, Role.SUPERVISOR: _AGREEMENT_STANDS},
)
RECIPIENT_RULE = EventRule(
    EventCode.RECIPIENT_AGREED,
    {Role.CHAMPION: _AGREEMENT_STANDS, Role.SUPERVISOR: _AGREEMENT_STANDS},
)
# Who may download a case's link chart (i2 Analyst's Notebook `.anx` and the import CSV):
# the analysts who chart, the checkers who research, supervisors. Not champions (their work
# is the family, not the chart), and no role that does not read cases.
CHART_EXPORTERS = frozenset({Role.ANALYST, Role.CHECKER, Role.SUPERVISOR})
# Who may export the verdicts of their force (`verdicts.csv`, a disclosure to the
# identification run): the analysts who run identification, and supervisors.
VERDICT_EXPORTERS = frozenset({Role.ANALYST, Role.SUPERVISOR})


class DeliveryModel(models.TextChoices):
    """Who works with the family, set by the supervisor at allocation: the pilot compares
    these (`selectors.delivery.compare_delivery_models`)."""

    NAMED_CHAMPION = "named_champion", "Named champion"
    NEIGHBOURHOOD_TEAM = "neighbourhood_team", "Neighbourhood policing team"
    CHARITY_WORKER = "charity_worker", "Charity worker"
    OTHER = "other", "Other"


# The delivery model is chosen at allocation (`allocated`, the supervisor); changed later only
# by a supervisor, while the case is allocated and open, as a `delivery_model_changed` event
# (`services.delivery.change_delivery_model`). Champions do not choose how they are deployed.
DELIVERY_MODEL_RULE = EventRule(
    EventCode.DELIVERY_MODEL_CHANGED,
    {Role.SUPERVISOR: ALLOCATED_STATES},
)

# Who may take the evaluators' pseudonymised extract (`services.evaluation_extract`): the
# evaluator of the force (their page's download, or the command line `--as`); the command
# line without `--as` is the deployer.
EVALUATION_EXPORTERS = frozenset({Role.EVALUATOR})


class SocialCareStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not yet checked"
    NOT_KNOWN = "not_known", "Not known to social care"
    EARLY_HELP = "early_help", "Open to early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after child"
    CLOSED = "closed", "Previously known, now closed"


# Statuses for which the allocated worker is told of the imprisonment (the operation's
# agreed threshold: open to statutory support or to early help).
SOCIAL_CARE_OPEN = frozenset(
    {
        SocialCareStatus.EARLY_HELP,
        SocialCareStatus.CHILD_IN_NEED,
        SocialCareStatus.CHILD_PROTECTION_PLAN,
        SocialCareStatus.LOOKED_AFTER,
    }
)


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    DOORSTEP = "doorstep", "Call at the address"
    VIA_PROFESSIONAL = "via_professional", "Through another professional"


class ContactOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", "No answer"
    MESSAGE_LEFT = "message_left", "Message left"
    WRONG_DETAILS = "wrong_details", "Wrong number or address"
    SPOKE_VISIT_AGREED = "visit_agreed", "Spoke: visit agreed"
    SPOKE_VISIT_DECLINED = "visit_declined", "Spoke: visit declined"
    SPOKE_CALL_BACK = "call_back", "Spoke: call back later"


class NotApproachedReason(models.TextChoices):
    CHILD_VICTIM = "child_victim", "The child was a victim of the prisoner's offence"
    SOCIAL_CARE_ADVISED = "social_care_advised", "Social care advised against an approach"
    RISK_TO_FAMILY = "risk_to_family", "An approach could put the family at risk"
    RISK_TO_STAFF = "risk_to_staff", "Risk to the visiting officer"
    NOT_AFFECTED = "not_affected", "Not the prisoner's child, or not affected"
    ALREADY_SUPPORTED = "already_supported", "Already supported"
    MOVED_AWAY = "moved_away", "Moved out of the force area"
    PRISONER_RELEASED = "prisoner_released", "Parent or carer already released"
    OTHER = "other", "Other (see the note)"


class Outcome(models.TextChoices):
    REFERRED = "referred", "Referred to the charity"
    DECLINED = "declined", "Family declined support"
    NO_CONTACT = "no_contact", "Could not make contact"
    NOT_APPROACHED = "not_approached", "Not approached"
    ALREADY_SUPPORTED = "already_supported", "Already supported"
    SAFEGUARDING = "safeguarding", "Passed to safeguarding partners"
    NOT_AFFECTED = "not_affected", "Not affected (identification wrong)"
    MOVED_AWAY = "moved_away", "Moved out of the force area"
    OTHER = "other", "Other (see the note)"


class ShareItem(models.TextChoices):
    """What the family may agree to share, recipient by recipient (a referral pack, or a
    message to the school or health service, holds only these)."""

    PARENT_IN_CUSTODY = "parent_in_custody", "That a parent or carer is in prison"
    CHILD_NAMES = "child_names", "Children's names"
    CHILD_DATES_OF_BIRTH = "child_dates_of_birth", "Children's dates of birth"
    ADDRESS = "address", "Address"
    CARER_CONTACT = "carer_contact", "Carer's name and contact details"
    PRISON = "prison", "Which prison and when"
    NEEDS = "needs", "Needs noted at the visit"


# What the charity's referral pack may hold: a referral to a charity for prisoners' families
# says a parent is in prison by what it is, so that item is for the other recipients.
CHARITY_SHARE_ITEMS = tuple(i for i in ShareItem if i != ShareItem.PARENT_IN_CUSTODY)


class RecipientKind(models.TextChoices):
    """Who the family's agreement may name. The charity is reached by the referral (read in
    Paramount); the school's designated safeguarding lead and the health visitor or school
    nurse by an email holding only what the family allowed them (`services.sharing`)."""

    CHARITY = "charity", "The charity (referral)"
    SCHOOL = "school_dsl", "The child's school (designated safeguarding lead)"
    HEALTH = "health", "The health visitor or school nurse"


# The recipients an email goes to (the charity is not one: it reads its referral in
# Paramount, `services.workflow.send_referral`).
EMAIL_RECIPIENTS = (RecipientKind.SCHOOL, RecipientKind.HEALTH)


class ReferralBasis(models.TextChoices):
    AGREEMENT = "agreement", "The family's agreement"
    SAFEGUARDING_OVERRIDE = "safeguarding_override", "Significant safeguarding concern"


class ReviewTaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted as the prisoner's child"
    REJECTED = "rejected", "Rejected"


class AuditAction(models.TextChoices):
    """What an audit record says was done, in the words of DPA 2018 s62."""

    VIEW = "view", "Consultation: a record read"
    LIST = "list", "Consultation: a list"
    SEARCH = "search", "Consultation: a search"
    COLLECT = "collect", "Collection (import)"
    CHANGE = "change", "Alteration"
    DISCLOSE = "disclose", "Disclosure"
    EXPORT = "export", "Export"
    COMBINE = "combine", "Combination"
    ERASE = "erase", "Erasure"
    REFUSED = "refused", "Access refused"
    # Signing in and out (the username as typed for a failure; the client's address).
    SIGN_IN = "sign_in", "Signed in (password)"
    SIGN_IN_FAILED = "sign_fail", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
    SECOND_FACTOR = "otp_pass", "Second factor passed"
    SECOND_FACTOR_FAILED = "otp_fail", "Second factor failed"
    SIGN_OUT = "sign_out", "Signed out"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
