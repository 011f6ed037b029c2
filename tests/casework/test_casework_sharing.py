"""Issue 14, items 6 and 7: sharing with the child's school or the health visitor on the
family's agreement (only what it allows, each share a disclosure, withdrawal stops it), and
the case's link chart for i2 Analyst's Notebook (`.anx` and the import wizard's CSV), with
the case history in the MOJ timeline pattern."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from paramount.casework.codes import (
    AuditAction,
    CaseState,
    ContactMethod,
    ContactOutcome,
    EventCode,
    RecipientKind,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.models import (
    AgreementRecipient,
    AuditRecord,
    Case,
    CaseEvent,
    Disclosure,
    Notification,
)
from paramount.casework.services import contact, sharing, verdicts
from paramount.casework.services import workflow as wf
from paramount.casework.services.importing import import_run
from paramount.casework.services.recipients import RecipientTerms
from paramount.casework.services.retention import dispose_of_case
from paramount.casework.services.sharing import ShareRefused
from paramount.casework.web.linkchart import strength_for

pytestmark = pytest.mark.django_db

SCHOOL_EMAIL = "dsl@northtown-primary.example"
HEALTH_EMAIL = "school.nurse@health.example"


@pytest.fixture(autouse=True)
def _one_factor(settings) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def family(world, tmp_path: Path) -> Case:
    """Tia (0.97, police record and same address) and Leo (0.85, police record) of one
    prisoner, with a named carer; checked, allocated, visited, support offered."""
    rows = [
        child_row(
            child_ids="P1",
            forenames="Tia",
            carer_name="Rae Fictus",
            carer_relationship="PARENT",
            carer_person_ids="P7001",
            sources="RMS_RELATIONSHIP;CO_RESIDENCE",
            prisoner_name="Jon Fictus",
        ),
        child_row(child_ids="P2", forenames="Leo", dob="2018-02-03", confidence="0.85"),
    ]
    import_run(write_run(tmp_path / "run", rows), force=world.force, user=world["analyst"])
    case = Case.objects.get()
    for cc in case.case_children.all():
        wf.record_child_check(
            user=world["checker"], case_child=cc, social_care_status=SocialCareStatus.NOT_KNOWN
        )
    wf.complete_checks(user=world["checker"], case=case)
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    wf.record_contact_attempt(
        user=world["champion"],
        case=case,
        at=timezone.now(),
        method=ContactMethod.PHONE,
        outcome=ContactOutcome.SPOKE_VISIT_AGREED,
    )
    wf.record_visit(
        user=world["champion"],
        case=case,
        visited_on=timezone.localdate(),
        present="Mother, both children",
        needs="Help with the school run",
        support_offered=True,
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUPPORT_OFFERED
    return case


def _children(case: Case) -> dict[str, object]:
    return {cc.child.forenames: cc for cc in case.case_children.select_related("child")}


def _agree(world, case: Case, *recipients: RecipientTerms):
    kids = _children(case)
    return wf.record_agreement(
        user=world["champion"],
        case=case,
        agreed_by_name="Rae Fictus",
        agreed_by_relationship="mother",
        agreed_at=timezone.now(),
        children=[kids["Tia"], kids["Leo"]],
        may_share=[ShareItem.CHILD_NAMES],
        recipients=recipients,
    )


def _school(case: Case, *items: str, children=("Tia",)) -> RecipientTerms:
    kids = _children(case)
    return RecipientTerms(
        kind=RecipientKind.SCHOOL,
        organisation="Northtown Primary",
        contact_name="Ms Lead",
        email=SCHOOL_EMAIL,
        children=[kids[n].pk for n in children],
        may_share=items or (ShareItem.PARENT_IN_CUSTODY, ShareItem.CHILD_NAMES),
    )


def _refusals(reason: str) -> int:
    return AuditRecord.objects.filter(
        action=AuditAction.REFUSED, object_type="disclosure", detail__reason=reason
    ).count()


# ---------------------------------------------------------------------------------------
# Item 6: sharing with the school or health service


def test_share_sends_only_the_allowed_items_and_records_a_disclosure(world, family) -> None:
    contact.record_family_contact(user=world["champion"], case=family, phone="07700 900982")
    _agree(world, family, _school(family, ShareItem.PARENT_IN_CUSTODY, ShareItem.CHILD_NAMES))
    tia = _children(family)["Tia"]
    disclosure = sharing.share_with_recipient(
        user=world["champion"], case=family, recipient_kind=RecipientKind.SCHOOL, children=[tia]
    )

    mail = Notification.objects.get(kind=Notification.Kind.RECIPIENT_SHARE)
    assert mail.to_email == SCHOOL_EMAIL and family.reference in mail.subject
    assert "Tia Fictus" in mail.body and "in prison" in mail.body
    # Nothing the family did not allow the school: no date of birth, address, carer, needs,
    # phone, prison or other child.
    for withheld in (
        "2015",
        "Imaginary Road",
        "NT1",
        "Rae",
        "07700",
        "school run",
        "Leo",
        "Received into prison",
    ):
        assert withheld not in mail.body
    assert "prison" not in mail.subject

    assert disclosure.recipient_kind == RecipientKind.SCHOOL
    assert (disclosure.organisation, disclosure.contact_name, disclosure.email) == (
        "Northtown Primary",
        "Ms Lead",
        SCHOOL_EMAIL,
    )
    assert disclosure.items == [ShareItem.PARENT_IN_CUSTODY, ShareItem.CHILD_NAMES]
    assert disclosure.children == [tia.child.pseudonym]
    assert disclosure.notification_id == mail.pk
    record = AuditRecord.objects.get(action=AuditAction.DISCLOSE, recipient=SCHOOL_EMAIL)
    assert record.case_ref == family.reference
    assert record.detail["recipient_kind"] == RecipientKind.SCHOOL
    assert record.detail["organisation"] == "Northtown Primary"
    assert record.detail["items"] == disclosure.items
    event = CaseEvent.objects.get(case=family, code=EventCode.SHARED_WITH_RECIPIENT)
    assert event.payload["disclosure_id"] == disclosure.pk
    assert "Northtown" not in str(event.payload) and "Tia" not in str(event.payload)


def test_health_without_custody_item_is_not_told_of_prison(world, family) -> None:
    kids = _children(family)
    health = RecipientTerms(
        kind=RecipientKind.HEALTH,
        organisation="Northtown school nursing",
        email=HEALTH_EMAIL,
        children=[kids["Leo"].pk],
        may_share=[ShareItem.CHILD_NAMES, ShareItem.CHILD_DATES_OF_BIRTH, ShareItem.NEEDS],
    )
    _agree(world, family, _school(family), health)
    sharing.share_with_recipient(
        user=world["supervisor"],
        case=family,
        recipient_kind=RecipientKind.HEALTH,
        children=[kids["Leo"]],
    )
    mail = Notification.objects.get(to_email=HEALTH_EMAIL)
    assert "Leo Fictus" in mail.body and "3 February 2018" in mail.body
    assert "Help with the school run" in mail.body
    assert "prison" not in mail.body.lower() and "Tia" not in mail.body
    assert Disclosure.objects.get().items == [
        ShareItem.CHILD_NAMES,
        ShareItem.CHILD_DATES_OF_BIRTH,
        ShareItem.NEEDS,
    ]


def test_share_refused_without_an_agreement(world, family) -> None:
    with pytest.raises(ShareRefused) as refused:
        sharing.share_with_recipient(
            user=world["champion"],
            case=family,
            recipient_kind=RecipientKind.SCHOOL,
            children=[_children(family)["Tia"]],
        )
    assert refused.value.code == "no_agreement"
    assert (
        not Disclosure.objects.exists()
        and not Notification.objects.filter(kind=Notification.Kind.RECIPIENT_SHARE).exists()
    )
    assert _refusals("no_agreement") == 1


def test_share_refused_for_a_recipient_or_child_not_covered(world, family) -> None:
    _agree(world, family, _school(family, children=("Tia",)))
    kids = _children(family)
    with pytest.raises(ShareRefused) as refused:
        sharing.share_with_recipient(
            user=world["champion"],
            case=family,
            recipient_kind=RecipientKind.HEALTH,
            children=[kids["Tia"]],
        )
    assert refused.value.code == "not_covered"
    with pytest.raises(ShareRefused) as refused:  # Leo is not named for the school
        sharing.share_with_recipient(
            user=world["champion"],
            case=family,
            recipient_kind=RecipientKind.SCHOOL,
            children=[kids["Tia"], kids["Leo"]],
        )
    assert refused.value.code == "children_not_covered"
    with pytest.raises(ShareRefused) as refused:  # the charity reads its referral instead
        sharing.share_with_recipient(
            user=world["champion"],
            case=family,
            recipient_kind=RecipientKind.CHARITY,
            children=[kids["Tia"]],
        )
    assert refused.value.code == "not_email"
    assert not Disclosure.objects.exists()
    assert _refusals("not_covered") == 1 and _refusals("children_not_covered") == 1


def test_withdrawal_stops_further_sharing(world, family) -> None:
    agreement = _agree(world, family, _school(family))
    tia = _children(family)["Tia"]
    sharing.share_with_recipient(
        user=world["champion"], case=family, recipient_kind=RecipientKind.SCHOOL, children=[tia]
    )
    wf.withdraw_agreement(user=world["champion"], agreement=agreement, note="Changed mind")
    with pytest.raises(ShareRefused) as refused:
        sharing.share_with_recipient(
            user=world["champion"], case=family, recipient_kind=RecipientKind.SCHOOL, children=[tia]
        )
    assert refused.value.code == "withdrawn"
    assert Disclosure.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.RECIPIENT_SHARE).count() == 1
    refusal = AuditRecord.objects.get(action=AuditAction.REFUSED, object_type="disclosure")
    assert refusal.case_ref == family.reference and refusal.actor == world["champion"]
    assert refusal.detail == {
        "service": "share_with_recipient",
        "recipient_kind": RecipientKind.SCHOOL,
        "reason": "withdrawn",
    }


def test_a_rejected_child_is_never_shared_about(world, family) -> None:
    _agree(world, family, _school(family, children=("Tia", "Leo")))
    kids = _children(family)
    verdicts.record_verdict(
        user=world["champion"], case_child=kids["Leo"], verdict="REJECTED", reason="NOT_RELATED"
    )
    with pytest.raises(ShareRefused) as refused:
        sharing.share_with_recipient(
            user=world["champion"],
            case=family,
            recipient_kind=RecipientKind.SCHOOL,
            children=[kids["Tia"], kids["Leo"]],
        )
    assert refused.value.code == "rejected"
    # The page's share leaves the rejected child out.
    recipient = AgreementRecipient.objects.get()
    response = _client(world, "champion").post(
        f"/cases/{family.reference}/share/", {"recipient": str(recipient.pk)}
    )
    assert response.status_code == 302
    body = Notification.objects.get(kind=Notification.Kind.RECIPIENT_SHARE).body
    assert "Tia Fictus" in body and "Leo" not in body


def test_only_the_champion_or_a_supervisor_shares(world, family) -> None:
    _agree(world, family, _school(family))
    tia = _children(family)["Tia"]
    for who in ("champion2", "checker", "analyst", "partner", "evaluator"):
        with pytest.raises(PermissionDenied):
            sharing.share_with_recipient(
                user=world[who], case=family, recipient_kind=RecipientKind.SCHOOL, children=[tia]
            )
    assert not Disclosure.objects.exists()
    assert _refusals("permission") == 5


def test_a_disclosure_is_never_changed_and_goes_with_its_case(world, family) -> None:
    _agree(world, family, _school(family))
    disclosure = sharing.share_with_recipient(
        user=world["champion"],
        case=family,
        recipient_kind=RecipientKind.SCHOOL,
        children=[_children(family)["Tia"]],
    )
    disclosure.email = "someone.else@example.org"
    with pytest.raises(ValidationError):
        disclosure.save()
    with pytest.raises(ValidationError):
        Disclosure.objects.filter(pk=disclosure.pk).update(email="x@example.org")
    with pytest.raises(ValidationError):
        Disclosure.objects.all().delete()
    wf.close_case(user=world["champion"], case=family, outcome="declined")
    record = dispose_of_case(user=world["admin"], case=family, reason="retention review")
    assert record.counts["disclosures"] == 1
    assert not Disclosure.objects.exists() and not AgreementRecipient.objects.exists()


def test_agreement_recipients_are_checked(world, family) -> None:
    bad = [
        _school(family, ShareItem.PRISON, ShareItem.CHILD_NAMES),  # prison without custody
        RecipientTerms(
            kind=RecipientKind.SCHOOL,
            organisation="",
            email=SCHOOL_EMAIL,
            children=[_children(family)["Tia"].pk],
            may_share=["child_names"],
        ),
        RecipientTerms(
            kind=RecipientKind.SCHOOL,
            organisation="X",
            email="not an email",
            children=[_children(family)["Tia"].pk],
            may_share=["child_names"],
        ),
        RecipientTerms(
            kind=RecipientKind.HEALTH,
            organisation="X",
            email=HEALTH_EMAIL,
            children=[],
            may_share=["child_names"],
        ),
    ]
    for terms in bad:
        with pytest.raises(ValidationError):
            _agree(world, family, terms)
    assert not AgreementRecipient.objects.exists()
    assert Case.objects.get().state == CaseState.SUPPORT_OFFERED


# ---------------------------------------------------------------------------------------
# Pages: the agreement form's recipients, the share form, the case page


def _client(world, name: str) -> Client:
    client = Client()
    client.force_login(world[name])
    return client


def test_recipient_page_adds_to_the_agreement_and_share_page_offers_only_it(world, family) -> None:
    _agree(world, family)
    kids = _children(family)
    today = timezone.localdate()
    client = _client(world, "champion")
    case_page = client.get(f"/cases/{family.reference}/").content.decode()
    assert "Add the school or health service to the agreement" in case_page
    assert "Share with school / health" not in case_page  # nobody to share with yet
    response = client.post(
        f"/cases/{family.reference}/agreement-recipient/",
        {
            "kind": RecipientKind.SCHOOL,
            "organisation": "Northtown Primary",
            "contact_name": "Ms Lead",
            "email": SCHOOL_EMAIL,
            "agreed_on-day": today.day,
            "agreed_on-month": today.month,
            "agreed_on-year": today.year,
            "children": [str(kids["Tia"].pk)],
            "may_share": [ShareItem.PARENT_IN_CUSTODY, ShareItem.CHILD_NAMES],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    recipient = AgreementRecipient.objects.get()
    assert recipient.kind == RecipientKind.SCHOOL and recipient.email == SCHOOL_EMAIL
    assert [cc.pk for cc in recipient.children.all()] == [kids["Tia"].pk]
    event = CaseEvent.objects.get(case=family, code=EventCode.RECIPIENT_AGREED)
    assert event.payload["recipient_kind"] == RecipientKind.SCHOOL
    assert SCHOOL_EMAIL not in str(event.payload)

    page = client.get(f"/cases/{family.reference}/share/").content.decode()
    assert "Northtown Primary" in page and SCHOOL_EMAIL in page
    assert "health visitor" not in page.lower()  # not covered, so not offered
    response = client.post(f"/cases/{family.reference}/share/", {"recipient": str(recipient.pk)})
    assert response.status_code == 302
    text = client.get(f"/cases/{family.reference}/").content.decode()
    assert "Shared with the school or health service" in text
    assert "Northtown Primary" in text and "Share with school / health" in text
    assert Disclosure.objects.get().shared_by == world["champion"]

    # Roles that may not share are refused the page.
    assert _client(world, "checker").get(f"/cases/{family.reference}/share/").status_code == 403


def test_recipient_page_shows_errors_and_changes_nothing(world, family) -> None:
    _agree(world, family)
    kids = _children(family)
    today = timezone.localdate()
    response = _client(world, "champion").post(
        f"/cases/{family.reference}/agreement-recipient/",
        {
            "kind": RecipientKind.HEALTH,
            "organisation": "School nursing",
            "agreed_on-day": today.day,
            "agreed_on-month": today.month,
            "agreed_on-year": today.year,
            "children": [str(kids["Tia"].pk)],
            "may_share": [ShareItem.PRISON],
        },
    )
    assert response.status_code == 400
    assert "Enter the email to send to" in response.content.decode()
    response = _client(world, "champion").post(
        f"/cases/{family.reference}/agreement-recipient/",
        {
            "kind": RecipientKind.HEALTH,
            "organisation": "School nursing",
            "email": HEALTH_EMAIL,
            "agreed_on-day": today.day,
            "agreed_on-month": today.month,
            "agreed_on-year": today.year,
            "children": [str(kids["Tia"].pk)],
            "may_share": [ShareItem.PRISON],
        },
    )
    assert response.status_code == 400
    assert "says a parent is in prison" in response.content.decode()
    assert not AgreementRecipient.objects.exists()


def test_recipients_are_added_only_to_a_standing_agreement(world, family) -> None:
    agreement = _agree(world, family)
    tia = _children(family)["Tia"]
    kwargs = {
        "kind": RecipientKind.SCHOOL,
        "organisation": "Northtown Primary",
        "email": SCHOOL_EMAIL,
        "children": [tia],
        "may_share": [ShareItem.CHILD_NAMES],
        "agreed_at": timezone.now(),
    }
    for who in ("checker", "champion2", "partner"):
        with pytest.raises(PermissionDenied):
            sharing.add_recipient(user=world[who], agreement=agreement, **kwargs)
    with pytest.raises(ValidationError):  # the charity is not one: it has its referral
        sharing.add_recipient(
            user=world["champion"], agreement=agreement, **{**kwargs, "kind": RecipientKind.CHARITY}
        )
    wf.withdraw_agreement(user=world["champion"], agreement=agreement)
    with pytest.raises(ValidationError):
        sharing.add_recipient(user=world["champion"], agreement=agreement, **kwargs)
    assert not AgreementRecipient.objects.exists()


def test_case_page_history_uses_the_moj_timeline(world, family) -> None:
    text = _client(world, "champion").get(f"/cases/{family.reference}/").content.decode()
    assert '<div class="moj-timeline">' in text
    assert text.count('class="moj-timeline__item"') == CaseEvent.objects.filter(case=family).count()
    for part in (
        "moj-timeline__header",
        "moj-timeline__title",
        "moj-timeline__byline",
        "moj-timeline__date",
        "<time datetime=",
    ):
        assert part in text
    assert "app-timeline" not in text
    css = (Path(__file__).parents[2] / "paramount/casework/static/paramount/app.css").read_text()
    assert ".moj-timeline__item::before" in css


# ---------------------------------------------------------------------------------------
# Item 7: the link chart


def test_strength_bands() -> None:
    assert strength_for(0.95) == strength_for(0.99) == "Confirmed"
    assert strength_for(0.5, "CONFIRMED") == "Confirmed"
    assert strength_for(0.8) == strength_for(0.949) == "Unconfirmed"
    assert strength_for(0.79) == strength_for(None) == "Tentative"


def _anx(world, family, who: str = "analyst") -> ET.Element:
    response = _client(world, who).get(f"/cases/{family.reference}/link-chart.anx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    return ET.fromstring(response.content)


def test_anx_holds_the_entities_links_strengths_and_sources(world, family) -> None:
    kids = _children(family)
    verdicts.record_verdict(
        user=world["champion"], case_child=kids["Leo"], verdict="REJECTED", reason="SIBLING"
    )
    root = _anx(world, family)
    assert root.tag == "Chart"
    assert [s.get("Name") for s in root.find("StrengthCollection")] == [
        "Confirmed",
        "Unconfirmed",
        "Tentative",
    ]
    assert {t.get("Name") for t in root.find("EntityTypeCollection")} >= {
        "Prisoner",
        "Child",
        "Carer",
        "Address",
    }
    entities = {}
    links = []
    for item in root.find("ChartItemCollection"):
        entity = item.find("End/Entity")
        if entity is not None:
            entities[entity.get("Identity")] = (
                entity.find("Icon/IconStyle").get("Type"),
                item.get("Label"),
                item.get("SourceReference"),
            )
        else:
            link = item.find("Link")
            style = link.find("LinkStyle")
            links.append(
                (
                    link.get("End1Id"),
                    link.get("End2Id"),
                    style.get("Type"),
                    style.get("Strength"),
                    item.get("SourceReference"),
                )
            )
    tia = f"Child {kids['Tia'].child.pseudonym}"
    assert entities["Prisoner A1234BC"] == ("Prisoner", "Jon Fictus", "A1234BC")
    assert entities[tia] == ("Child", "Tia Fictus", "P1")
    assert entities["Carer P7001"] == ("Carer", "Rae Fictus", "P7001")
    address = "Address 1 Imaginary Road, Northtown, NT1 1AA"
    assert entities[address][0] == "Address"
    # The rejected child is not in the chart at all.
    assert f"Child {kids['Leo'].child.pseudonym}" not in entities
    assert "Leo" not in ET.tostring(root, encoding="unicode")
    assert len(entities) == 4
    assert (
        "Prisoner A1234BC",
        tia,
        "Police record",
        "Confirmed",
        "B1001/P1/RMS_RELATIONSHIP",
    ) in links
    assert (
        "Prisoner A1234BC",
        address,
        "Same address",
        "Confirmed",
        "B1001/P1/CO_RESIDENCE",
    ) in links
    assert (tia, address, "Lives at", "Confirmed", "B1001/P1") in links
    assert ("Carer P7001", tia, "Likely carer", "Unconfirmed", "P7001") in links
    ids = set(entities)
    assert all(a in ids and b in ids for a, b, *_ in links)
    assert {t.get("Name") for t in root.find("LinkTypeCollection")} == {x[2] for x in links}


def test_anx_strength_follows_the_confidence_band(world, family) -> None:
    root = _anx(world, family, "supervisor")
    leo = f"Child {_children(family)['Leo'].child.pseudonym}"
    strengths = {
        item.find("Link").get("End2Id"): item.find("Link/LinkStyle").get("Strength")
        for item in root.find("ChartItemCollection")
        if item.find("Link") is not None
        and item.find("Link/LinkStyle").get("Type") == "Police record"
    }
    assert strengths[leo] == "Unconfirmed"  # 0.85


def test_anx_escapes_what_it_holds(world, family) -> None:
    cc = _children(family)["Tia"]
    child = cc.child
    child.forenames = 'Tia <&> "Q"\x01'
    child.save()
    root = _anx(world, family, "checker")
    labels = [i.get("Label") for i in root.find("ChartItemCollection")]
    assert 'Tia <&> "Q" Fictus' in labels


def test_csv_one_row_a_link(world, family) -> None:
    response = _client(world, "analyst").get(f"/cases/{family.reference}/link-chart.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    tia = f"Child {_children(family)['Tia'].child.pseudonym}"
    police = [r for r in rows if r["link_type"] == "Police record"]
    assert {r["end2_identity"] for r in police} == {
        tia,
        f"Child {_children(family)['Leo'].child.pseudonym}",
    }
    row = next(r for r in police if r["end2_identity"] == tia)
    assert row == {
        "end1_identity": "Prisoner A1234BC",
        "end1_type": "Prisoner",
        "end1_label": "Jon Fictus",
        "end2_identity": tia,
        "end2_type": "Child",
        "end2_label": "Tia Fictus",
        "link_type": "Police record",
        "link_label": "parent (police record)",
        "strength": "Confirmed",
        "source_reference": "B1001/P1/RMS_RELATIONSHIP",
        "source_type": "RMS_RELATIONSHIP",
    }
    root = _anx(world, family)
    assert len(rows) == sum(
        1 for i in root.find("ChartItemCollection") if i.find("Link") is not None
    )


def test_chart_downloads_refused_to_other_roles_and_audited(world, family) -> None:
    for who in ("partner", "evaluator", "champion", "auditor"):
        for fmt in ("anx", "csv"):
            response = _client(world, who).get(f"/cases/{family.reference}/link-chart.{fmt}")
            assert response.status_code == 403
    assert (
        AuditRecord.objects.filter(action=AuditAction.REFUSED, object_type="link_chart").count()
        == 8
    )
    # Out of the analyst's force: missing, and audited as refused.
    response = _client(world, "other_supervisor").get(f"/cases/{family.reference}/link-chart.anx")
    assert response.status_code == 404
    assert not AuditRecord.objects.filter(action=AuditAction.EXPORT).exists()

    _client(world, "analyst").get(f"/cases/{family.reference}/link-chart.anx")
    _client(world, "analyst").get(f"/cases/{family.reference}/link-chart.csv")
    exports = AuditRecord.objects.filter(
        action=AuditAction.EXPORT,
        object_type="link_chart",
        case_ref=family.reference,
        actor=world["analyst"],
    )
    assert sorted(exports.values_list("detail__format", flat=True)) == ["anx", "csv"]
    assert exports.first().detail["rows"] == 2


def test_case_page_offers_the_chart_to_analysts_only(world, family) -> None:
    analyst = _client(world, "analyst").get(f"/cases/{family.reference}/").content.decode()
    assert f"/cases/{family.reference}/link-chart.anx" in analyst
    assert f"/cases/{family.reference}/link-chart.csv" in analyst
    champion = _client(world, "champion").get(f"/cases/{family.reference}/").content.decode()
    assert "link-chart" not in champion
