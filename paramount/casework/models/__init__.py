"""Casework models, one module per area; import them from here."""

from paramount.casework.models.audit import AuditRecord, ErasureRecord
from paramount.casework.models.cases import Case, CaseChild, CaseEvent
from paramount.casework.models.contact import FamilyContact
from paramount.casework.models.organisation import LPA, Force, PartnerOrganisation, User
from paramount.casework.models.people import Child, ChildIdentifier, Prisoner, Reception
from paramount.casework.models.runs import DayFigure, IdentificationRun
from paramount.casework.models.sharing import AgreementRecipient, Disclosure
from paramount.casework.models.work import (
    ContactAttempt,
    Notification,
    Referral,
    ReferralAgreement,
    ReviewTask,
    Visit,
)

__all__ = [
    "LPA",
    "AgreementRecipient",
    "AuditRecord",
    "Case",
    "CaseChild",
    "CaseEvent",
    "Child",
    "ChildIdentifier",
    "ContactAttempt",
    "DayFigure",
    "Disclosure",
    "ErasureRecord",
    "FamilyContact",
    "Force",
    "IdentificationRun",
    "Notification",
    "PartnerOrganisation",
    "Prisoner",
    "Reception",
    "Referral",
    "ReferralAgreement",
    "ReviewTask",
    "User",
    "Visit",
]
