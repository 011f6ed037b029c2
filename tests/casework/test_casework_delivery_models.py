"""Delivery models compared (issue 14, item 2): the allocation records how a case is
delivered as an event, a change is a logged event only a supervisor makes, and the
comparison's counts, Wilson intervals and median interval are right on known cases."""

from __future__ import annotations

from datetime import timedelta

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
    DeliveryModel,
    EventCode,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.models import AuditRecord, Case, CaseEvent
from paramount.casework.selectors.delivery import compare_delivery_models, told_apart
from paramount.casework.services import workflow as wf
from paramount.casework.services.delivery import change_delivery_model
from paramount.casework.services.events import replay_state
from paramount.casework.services.importing import import_run
from paramount.intervals import median_interval, median_rank, wilson

pytestmark = pytest.mark.django_db

# Textbook Wilson 95 % intervals (z = 1.96).
WILSON_1_OF_2 = (0.0945, 0.9055)
WILSON_1_OF_1 = (0.2065, 1.0)
WILSON_0_OF_1 = (0.0, 0.7935)


def test_wilson_and_the_median_interval_match_their_tables() -> None:
    assert wilson(1, 2) == pytest.approx(WILSON_1_OF_2, abs=1e-3)
    assert wilson(1, 1) == pytest.approx(WILSON_1_OF_1, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)
    # The order statistics bounding a median at 95 % (e.g. Conover's table: n = 20 -> the
    # 6th and 15th; n = 100 -> the 40th and 61st); under six values there is no interval.
    assert [median_rank(n) for n in (5, 6, 9, 20, 100)] == [None, 1, 2, 6, 40]
    assert median_interval(list(range(1, 21))) == (6, 15)
    assert median_interval([3, 1, 2, 5, 4]) is None
    assert median_interval([7, 1, 2, 5, 4, 9]) == (1, 9)


@pytest.fixture
def world():
    return make_world()


def _cases(world, tmp_path, received_days_ago: dict[str, int]) -> dict[str, Case]:
    """One ready case per child id (their own addresses), received that many days ago (on
    the day of `_contact`'s attempts, so a run just after midnight counts the same days)."""
    today = (timezone.now() - timedelta(minutes=5)).date()
    rows = [
        child_row(
            child_ids=name,
            forenames=f"Kid{name}",
            dob=f"2016-0{1 + i % 9}-1{i % 10}",
            prisoner=f"A{100 + i}0AA",
            booking=f"B{i}",
            address=f"{i} Imaginary Road",
            postcode=f"NT{i} 1AA",
            received=(today - timedelta(days=days)).isoformat(),
        )
        for i, (name, days) in enumerate(received_days_ago.items())
    ]
    import_run(write_run(tmp_path / "run", rows), force=world.force)
    cases = {}
    for name in received_days_ago:
        case = Case.objects.get(
            case_children__child__identifiers__kind="rms",
            case_children__child__identifiers__value=name,
        )
        for cc in case.case_children.all():
            wf.record_child_check(
                user=world["checker"], case_child=cc, social_care_status=SocialCareStatus.NOT_KNOWN
            )
        cases[name] = wf.complete_checks(user=world["checker"], case=case)
    return cases


def _contact(world, case, outcome) -> None:
    wf.record_contact_attempt(
        user=world["supervisor"], case=case, at=timezone.now() - timedelta(minutes=5),
        method=ContactMethod.PHONE, outcome=outcome,
    )  # fmt: skip


def _visit_and_offer(world, case) -> None:
    wf.record_visit(
        user=world["supervisor"], case=case, visited_on=timezone.localdate(),
        present="Carer and children", support_offered=True,
    )  # fmt: skip


def test_allocation_records_the_delivery_model_and_a_change_is_a_logged_event(
    world, tmp_path
) -> None:
    cases = _cases(world, tmp_path, {"P1": 3, "P2": 3})
    case = wf.allocate_case(user=world["supervisor"], case=cases["P1"], champion=world["champion"])
    assert case.delivery_model == DeliveryModel.NAMED_CHAMPION  # the default
    allocated = CaseEvent.objects.get(case=case, code=EventCode.ALLOCATED)
    assert allocated.payload["delivery_model"] == DeliveryModel.NAMED_CHAMPION
    assert allocated.actor == world["supervisor"]

    # Reallocation keeps the model unless told otherwise, and says so in its event.
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion2"])
    wf.allocate_case(
        user=world["supervisor"], case=case, champion=world["champion"],
        delivery_model=DeliveryModel.NEIGHBOURHOOD_TEAM,
    )  # fmt: skip
    payloads = [
        (e.payload["delivery_model"], e.payload["previous_delivery_model"])
        for e in CaseEvent.objects.filter(case=case, code=EventCode.ALLOCATED).order_by("id")
    ]
    assert payloads == [
        ("named_champion", ""),
        ("named_champion", "named_champion"),
        ("neighbourhood_team", "named_champion"),
    ]
    with pytest.raises(ValidationError):
        wf.allocate_case(
            user=world["supervisor"], case=case, champion=world["champion2"],
            delivery_model="carrier_pigeon",
        )  # fmt: skip

    # Changed later only by a supervisor, through the service, as an event.
    with pytest.raises(PermissionDenied):
        change_delivery_model(
            user=world["champion"], case=case, delivery_model=DeliveryModel.CHARITY_WORKER
        )
    with pytest.raises(ValidationError):
        change_delivery_model(
            user=world["supervisor"], case=case, delivery_model=DeliveryModel.NEIGHBOURHOOD_TEAM
        )  # already so
    case = change_delivery_model(
        user=world["supervisor"], case=case, delivery_model=DeliveryModel.CHARITY_WORKER,
        note="The charity's worker took the family on.",
    )  # fmt: skip
    case.refresh_from_db()
    assert case.delivery_model == DeliveryModel.CHARITY_WORKER
    change = CaseEvent.objects.get(case=case, code=EventCode.DELIVERY_MODEL_CHANGED)
    assert change.actor == world["supervisor"]
    assert change.payload["previous_delivery_model"] == DeliveryModel.NEIGHBOURHOOD_TEAM
    assert replay_state(case)["delivery_model"] == case.delivery_model

    # Not before allocation: a ready case's model is chosen by allocating it.
    with pytest.raises(ValidationError):
        change_delivery_model(
            user=world["supervisor"], case=cases["P2"], delivery_model=DeliveryModel.OTHER
        )


def test_the_comparison_counts_and_intervals_on_known_cases(world, tmp_path) -> None:
    cases = _cases(world, tmp_path, {"PA": 10, "PB": 12, "PC": 5, "PD": 4, "PE": 2})
    sup, champ = world["supervisor"], world["champion"]
    for name, model in (
        ("PA", DeliveryModel.NAMED_CHAMPION),
        ("PB", DeliveryModel.NAMED_CHAMPION),
        ("PC", DeliveryModel.CHARITY_WORKER),
        ("PD", DeliveryModel.NEIGHBOURHOOD_TEAM),
    ):
        wf.allocate_case(user=sup, case=cases[name], champion=champ, delivery_model=model)
    # PA: spoken to, visited, offered, agreed. PB: no answer. PC: spoken to, offered, declined.
    # PD: allocated, nothing yet. PE: never allocated (not counted).
    _contact(world, cases["PA"], ContactOutcome.SPOKE_VISIT_AGREED)
    _visit_and_offer(world, cases["PA"])
    cc = cases["PA"].case_children.get()
    wf.record_agreement(
        user=sup, case=cases["PA"], agreed_by_name="Carer", agreed_by_relationship="mother",
        agreed_at=timezone.now(), children=[cc], may_share=[ShareItem.CHILD_NAMES],
    )  # fmt: skip
    _contact(world, cases["PB"], ContactOutcome.NO_ANSWER)
    _contact(world, cases["PC"], ContactOutcome.SPOKE_CALL_BACK)
    _visit_and_offer(world, cases["PC"])
    wf.record_refusal(user=sup, case=cases["PC"])
    assert Case.objects.get(pk=cases["PC"].pk).state == CaseState.DECLINED

    figures = {f.code: f for f in compare_delivery_models(world["supervisor"])}
    assert list(figures) == list(DeliveryModel.values)

    named = figures[DeliveryModel.NAMED_CHAMPION]
    assert (named.cases, named.reached, named.offered, named.accepted) == (2, 1, 1, 1)
    assert (named.reached_low, named.reached_high) == pytest.approx(WILSON_1_OF_2, abs=1e-3)
    assert (named.accepted_low, named.accepted_high) == pytest.approx(WILSON_1_OF_1, abs=1e-3)
    assert named.reached_share == 0.5 and named.accepted_share == 1.0
    assert (named.contacted, named.median_days) == (2, 11)  # 10 and 12 days
    assert named.median_low is None  # two cases: no interval for a median

    charity = figures[DeliveryModel.CHARITY_WORKER]
    assert (charity.cases, charity.reached, charity.offered, charity.accepted) == (1, 1, 1, 0)
    assert (charity.accepted_low, charity.accepted_high) == pytest.approx(WILSON_0_OF_1, abs=1e-3)
    assert charity.median_days == 5

    team = figures[DeliveryModel.NEIGHBOURHOOD_TEAM]
    assert (team.cases, team.reached, team.offered, team.contacted) == (1, 0, 0, 0)
    assert team.accepted_share is None and (team.accepted_low, team.accepted_high) == (0, 1)
    assert team.median_days is None
    assert figures[DeliveryModel.OTHER].cases == 0

    # So few cases tell nothing apart.
    assert told_apart(list(figures.values()), "reached")[1] == []
    # The area filter reaches the same cases' area (all in N1) and none elsewhere.
    south = compare_delivery_models(world["supervisor"], lpa_code="S1")
    assert sum(f.cases for f in south) == 0
    assert (
        AuditRecord.objects.filter(
            action=AuditAction.VIEW, object_ref="delivery_models", actor=world["supervisor"]
        ).count()
        == 2
    )


def test_only_leads_see_the_comparison_and_a_refusal_is_audited(world) -> None:
    for name in ("champion", "evaluator", "partner"):
        with pytest.raises(PermissionDenied):
            compare_delivery_models(world[name])
        assert AuditRecord.objects.filter(
            action=AuditAction.REFUSED, actor=world[name],
            detail__selector="compare_delivery_models",
        ).exists()  # fmt: skip
    assert compare_delivery_models(world["analyst"])[0].cases == 0


def test_the_dashboard_shows_the_table_and_says_when_it_cannot_tell(
    world, tmp_path, settings
) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    cases = _cases(world, tmp_path, {"PA": 10, "PB": 12})
    wf.allocate_case(user=world["supervisor"], case=cases["PA"], champion=world["champion"])
    wf.allocate_case(
        user=world["supervisor"], case=cases["PB"], champion=world["champion"],
        delivery_model=DeliveryModel.CHARITY_WORKER,
    )  # fmt: skip
    _contact(world, cases["PA"], ContactOutcome.SPOKE_VISIT_AGREED)
    client = Client()
    client.force_login(world["supervisor"])
    text = client.get("/dashboard/").content.decode()
    assert "Delivery models compared" in text
    assert "1 of 1 (100%; 95% interval 21% to 100%)" in text  # named champion reached
    assert "0 of 1 (0%; 95% interval 0% to 79%)" in text  # charity worker reached
    assert "too few to tell the delivery models apart" in text
    # The allocation page offers the models, the case page names the one chosen.
    page = client.get(f"/cases/{cases['PA'].reference}/").content.decode()
    assert "Named champion" in page
    step = client.get(f"/cases/{cases['PA'].reference}/delivery-model/")
    assert step.status_code == 200 and "Charity worker" in step.content.decode()
    response = client.post(
        f"/cases/{cases['PA'].reference}/delivery-model/",
        {"delivery_model": DeliveryModel.OTHER, "note": "A youth worker took over."},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=cases["PA"].pk).delivery_model == DeliveryModel.OTHER
