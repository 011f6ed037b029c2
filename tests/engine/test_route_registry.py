"""A route is one object in one registry: every registered route reaches the decision model,
and a route that does not declare what the model needs is refused when the registry is built."""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import pytest

from paramount.contract.tables import ROUTES as CONTRACT_ROUTES
from paramount.engine import METHODS, RunParameters
from paramount.engine.decision.comparisons import comparisons_sql, pairs_sql
from paramount.engine.decision.em import em_pattern_levels_sql, em_patterns_sql, em_population_sql
from paramount.engine.decision.final_list import children_sql, decided_sql
from paramount.engine.decision.model import FEATURES, FIXED_BAYES_FACTORS, ROUTE_ORDER, log_bf_sql
from paramount.engine.decision.scoring import minor_share_sql, scored_base_sql
from paramount.engine.routes.registry import (
    ROUTE_FEATURES,
    ROUTES,
    RouteError,
    check_routes,
    evidence_sql,
)
from paramount.engine.routes.route import APPLICABILITY, Feature, PairColumn, Route

PARAMS = RunParameters(window_from=date(2025, 1, 1), window_to=date(2025, 12, 31), method="full")


def test_the_registry_holds_the_contracts_routes() -> None:
    names = [r.contract_name for r in ROUTES]
    assert len(names) == len(set(names))
    assert set(names) == set(CONTRACT_ROUTES)


def test_routes_in_pipeline_order_and_in_the_evidence_texts_order() -> None:
    assert [r.name for r in ROUTES] == [
        "recorded_relationships",
        "prisoner_contacts",
        "partner_relationships",
        "co_residence",
        "co_occurrence",
        "through_parent",
    ]
    assert list(ROUTE_ORDER.items()) == [
        ("RMS_RELATIONSHIP", 1),
        ("PRISON_CONTACT", 2),
        ("PARTNER", 3),
        ("CO_OCCURRENCE", 4),
        ("CO_RESIDENCE", 5),
        ("THROUGH_PARENT", 6),
    ]


def test_the_models_features_are_the_routes_then_the_pairs() -> None:
    """The routes' features, the pair features, then the conditional ones."""
    assert list(FEATURES) == [
        "rms",
        "contact",
        "partner",
        "home_occ",
        "through",
        "gap",
        "surname",
        "moved_on",
        "recency",
    ]
    for feature in ROUTE_FEATURES:
        assert FEATURES[feature.name] == dict(feature.levels)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_every_route_reaches_the_decision_model(route: Route) -> None:
    for method in ("routes-exact", "full"):
        steps = [s.name for s in METHODS[method].steps]
        assert all(s.name in steps for s in route.steps)
        if route.share:
            assert route.share.name in steps
            assert steps.index(route.share.name) < steps.index("scored_base")
    union = evidence_sql(PARAMS)
    assert all(f"FROM {PARAMS.table(s.name)}" in union for s in route.steps)
    pairs, comparisons = pairs_sql(PARAMS), comparisons_sql(PARAMS)
    for column in route.pair_columns:
        assert f"AS {column.name}," in pairs or f"AS {column.name}\n" in pairs
        assert f"max(p.{column.name}) AS {column.name}" in comparisons
    for column in route.dated_columns:
        assert f"AS {column.name}" in comparisons
        assert f"LEFT JOIN {route.dated_alias} ON" in comparisons
    if route.shared_basis:
        assert f"OR {route.shared_basis}" in minor_share_sql(PARAMS)
    if route.clause_dates:
        condition, text = route.clause_dates
        assert f"WHEN e.route = '{route.contract_name}' AND {condition} THEN {text}" in (
            decided_sql(PARAMS)
        )
    population, patterns = em_population_sql(PARAMS), em_patterns_sql(PARAMS)
    long_form, scored = em_pattern_levels_sql(PARAMS), scored_base_sql(PARAMS)
    assert route.features
    for feature in route.features:
        assert f"{feature.levels_sql} AS l_{feature.name}" in comparisons
        assert f"AS l_{feature.name}" in population
        assert f"l_{feature.name}," in patterns
        assert f"'{feature.name}' AS feature, l_{feature.name} AS level" in long_form
        assert f"p_{feature.name}.level = c.l_{feature.name}" in scored
        assert f"'{feature.name}=' || l_{feature.name}" in children_sql(PARAMS)
        if feature.alone and route.share:
            assert f"FROM {PARAMS.table(route.share.name)}" in scored
        for level, factor in feature.fixed.items():
            assert FIXED_BAYES_FACTORS[(feature.name, level)] == factor
            assert f"p.level = '{level}' THEN {math.log(factor)!r}" in log_bf_sql("p")
    assert f"WHEN '{route.contract_name}' THEN {route.list_order}" in decided_sql(PARAMS)


def test_every_applicability_is_computed_for_the_comparison_vectors() -> None:
    comparisons, population = comparisons_sql(PARAMS), em_population_sql(PARAMS)
    for column, key in APPLICABILITY.items():
        assert f"AS {column}" in comparisons
        assert f"{column} AS {key}" in population


def test_record_routes_feed_the_relationship() -> None:
    decided = decided_sql(PARAMS)
    for feature in ROUTE_FEATURES:
        assert (f"r.l_{feature.name} = 'PARENT'" in decided) == feature.record
    assert {r.contract_name for r in ROUTES if r.record} == {
        "RMS_RELATIONSHIP",
        "PRISON_CONTACT",
        "PARTNER",
    }


# A route someone might add, declared correctly; each refusal below breaks one thing.
_FEATURE = Feature(
    "school",
    levels={"PARENT": (0.5, 0.01), "NONE": (0.5, 0.99)},
    levels_sql="CASE WHEN NOT rms_applicable THEN NULL ELSE 'NONE' END",
    applies="rms_applicable",
)
_NEW = Route(
    "school_contacts",
    "SCHOOL_CONTACT",
    steps=(dataclasses.replace(ROUTES[0].steps[0], name="evidence_school"),),
    features=(_FEATURE,),
    list_order=7,
)


def test_a_declared_new_route_is_accepted_after_the_others() -> None:
    routes = check_routes((*ROUTES, _NEW))
    assert routes[-1] is _NEW


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (dataclasses.replace(_NEW, features=()), "declares no decision features"),
        (dataclasses.replace(_NEW, steps=()), "has no evidence step"),
        (
            dataclasses.replace(
                _NEW, features=(dataclasses.replace(_FEATURE, applies="school_applicable"),)
            ),
            "applicability 'school_applicable' unknown",
        ),
        (
            dataclasses.replace(
                _NEW, features=(dataclasses.replace(_FEATURE, fixed={"AGAINST": 1e-3}),)
            ),
            "fixed factors for undeclared levels ['AGAINST']",
        ),
        (
            dataclasses.replace(
                _NEW, features=(dataclasses.replace(_FEATURE, none_level="ABSENT"),)
            ),
            "level for no evidence 'ABSENT' not a level",
        ),
        (
            dataclasses.replace(_NEW, features=(dataclasses.replace(_FEATURE, levels={}),)),
            "no levels",
        ),
        (
            dataclasses.replace(_NEW, features=(dataclasses.replace(_FEATURE, name="rms"),)),
            "feature 'rms' is declared twice differently",
        ),
        (
            dataclasses.replace(_NEW, dated_columns=(PairColumn("school_now", "TRUE"),)),
            "dated columns need an SQL alias",
        ),
        (
            dataclasses.replace(_NEW, pair_columns=(PairColumn("rms_parent", "TRUE"),)),
            "pair column used by more than one route: ['rms_parent']",
        ),
        (dataclasses.replace(_NEW, contract_name="PARTNER"), "contract name used by more"),
        (dataclasses.replace(_NEW, list_order=1), "list order used by more"),
        (
            dataclasses.replace(_NEW, steps=ROUTES[0].steps),
            "evidence step used by more than one route: ['evidence_rms']",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_route_not_declared_for_the_model_is_refused(broken: Route, message: str) -> None:
    with pytest.raises(RouteError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_routes((*ROUTES, broken))
