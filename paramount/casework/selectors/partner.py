"""What the partner charity reads: referrals the family agreed to, and those a supervisor
sent on a safeguarding override; their packs only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import Referral, User
from paramount.casework.selectors.scope import visible_referrals
from paramount.casework.services.audit import audit, audit_list


def partner_referrals(user: User) -> list[Referral]:
    """The partner's referrals, newest first. The case behind each is not theirs to read:
    use `referral.pack` (what the family agreed to share) and `referral.case.reference`."""
    if not user.has_role(Role.PARTNER):
        audit(user, AuditAction.REFUSED, "referral", detail={"selector": "partner_referrals"})
        raise PermissionDenied("Only a partner reads referrals.")
    items = list(visible_referrals(user).select_related("case", "organisation")
                 .order_by("-sent_at", "-pk"))
    audit_list(user, AuditAction.LIST, "referral", [r.case.reference for r in items],
               detail={"selector": "partner_referrals"})
    return items


def partner_referral(user: User, referral_id: int) -> Referral:
    """One referral; `Referral.DoesNotExist` if neither agreed nor an override, withdrawn,
    or someone else's."""
    if not user.has_role(Role.PARTNER):
        audit(user, AuditAction.REFUSED, "referral", detail={"selector": "partner_referral"})
        raise PermissionDenied("Only a partner reads referrals.")
    found = visible_referrals(user).select_related("case", "organisation").filter(
        pk=referral_id
    ).first()
    if found is None:
        audit(user, AuditAction.REFUSED, "referral", object_ref=str(referral_id),
              detail={"selector": "partner_referral"})
        raise Referral.DoesNotExist("No such referral.")
    audit(user, AuditAction.VIEW, "referral", object_ref=str(found.pk),
          case_ref=found.case.reference, detail={"selector": "partner_referral"})
    return found
