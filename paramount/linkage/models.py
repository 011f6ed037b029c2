"""The person model: comparisons, blocking, training without labels, saving and loading.

One set of comparisons serves nominal deduplication and the prisoner and partner links,
since every source is standardised to the same columns (`prepare.py`):

- forename: exact (term-frequency adjusted), the same canonical name (nickname table), a
  near spelling (Jaro-Winkler >= 0.92), a shared token (first and middle names held in one
  field), an initial against a name, a weak spelling (>= 0.80), forename and surname
  transposed, else. "Else" is strong evidence against: it is what keeps twins (same
  surname, same date of birth) two people.
- surname: exact (term-frequency adjusted, so `Smith` counts for less than `Zielinski`),
  Jaro-Winkler >= 0.92, >= 0.80, one part of a double surname, else (transposed names count
  as missing here: the forename comparison weighs them once).
- date of birth: exact, day and month swapped, one character or one day out, a year out on
  the same day of the year, same year and month, within a year, else.
- sex; identifiers (the same canonical PNC, the same CRO, both present and different);
  addresses and associates (a shared home: one UPRN or address record; no shared home but
  someone recorded with both, by a relationship or at a small occurrence; a shared full
  postcode; a shared postcode district; else).

Training is unsupervised on the extract itself: u by random sampling of record pairs, then
expectation maximisation on pairs the police identifiers prove are one person (records
sharing a valid PNC), so m is learned from how one person's records differ rather than from
blocks of names or dates, which on a force-sized index also hold fathers and sons of one
name at one home and twins. The prior (probability two random records match) comes from a
deterministic rule (same surname, forename and date of birth) whose recall is measured on
those same id-linked pairs, not assumed. A source without enough id-linked pairs (a partner
agency) falls back to EM on name and date blocks and an assumed recall.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from splink import Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.exceptions import EMTrainingException
from splink.internals.splink_dataframe import SplinkDataFrame

from paramount.db.backend import Backend
from paramount.db.sql import DUCKDB
from paramount.linkage import forces
from paramount.linkage.prepare import NOMINAL_RECORDS, PARTNER_RECORDS, PRISONER_RECORDS

# Splink logs training progress and untrained-level notices; keep the library quiet (it
# never logs row values, but progress belongs to the caller's reporter: `resolve` turns the
# lines into its phase's notes while a phase runs, `paramount.progress.log_notes`).
logging.getLogger("splink").setLevel(logging.ERROR)


LinkType = Literal["dedupe_only", "link_only"]  # one source with itself, or one with another


@dataclass(frozen=True)
class Level:
    """One comparison level: SQL over `col_l`/`col_r`, and what it means in plain words."""

    sql: str
    words: str
    tf_column: str | None = None
    # Starting m and u, kept where the extract never shows the level (so training cannot).
    m: float | None = None
    u: float | None = None


@dataclass(frozen=True)
class Comparison:
    name: str  # output column name: gamma_<name>
    null_sql: str
    levels: tuple[Level, ...]  # most specific first, the else level last
    what: str  # the field compared, in words
    null_words: str = "missing on one side"

    def gamma_words(self) -> dict[int, str]:
        """Gamma value -> plain words (Splink numbers non-null levels from the top down)."""
        n = len(self.levels)
        words = {-1: f"{self.what} {self.null_words}"}
        for i, level in enumerate(self.levels):
            words[n - 1 - i] = f"{self.what} {level.words}"
        return words

    def to_splink(self) -> dict[str, Any]:
        levels: list[dict[str, Any]] = [
            {"sql_condition": self.null_sql, "label_for_charts": "null", "is_null_level": True}
        ]
        for level in self.levels:
            d: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.words}
            if level.m is not None:
                d["m_probability"] = level.m
            if level.u is not None:
                d["u_probability"] = level.u
            if level.tf_column:
                d["tf_adjustment_column"] = level.tf_column
                d["tf_adjustment_weight"] = 1.0
            levels.append(d)
        return {
            "output_column_name": self.name,
            "comparison_description": self.what,
            "comparison_levels": levels,
        }


def _null(col: str) -> str:
    return f'"{col}_l" IS NULL OR "{col}_r" IS NULL'


def _jw(col: str, t: float) -> str:
    return f'jaro_winkler_similarity("{col}_l", "{col}_r") >= {t}'


# Forename and surname written the wrong way round (`SMITH, JOHN` keyed as forename Smith).
_TRANSPOSED = '"forename1_l" = "surname_r" AND "surname_l" = "forename1_r"'

FORENAME = Comparison(
    "forename",
    _null("forename1"),
    (
        Level('"forename1_l" = "forename1_r"', "the same", tf_column="forename1"),
        Level('"forename_canon_l" = "forename_canon_r"', "the same name in another form"),
        Level(_jw("forename1", 0.92), "spelled nearly the same"),
        Level(
            'list_has_any("forename_tokens_l", "forename_tokens_r")',
            "sharing a first or middle name",
        ),
        Level(
            '(length("forename1_l") = 1 OR length("forename1_r") = 1) '
            'AND left("forename1_l", 1) = left("forename1_r", 1)',
            "an initial matching a name",
            m=0.01,
            u=0.002,
        ),
        Level(_jw("forename1", 0.80), "spelled somewhat alike"),
        Level(_TRANSPOSED, "the other record's surname (names transposed)", m=0.005, u=1e-5),
        Level("ELSE", "different"),
    ),
    "forename",
)

# Transposed names are weighed once, by the forename comparison; the surname says nothing.
SURNAME = Comparison(
    "surname",
    f"{_null('surname')} OR ({_TRANSPOSED})",
    (
        Level('"surname_l" = "surname_r"', "the same", tf_column="surname"),
        Level(_jw("surname", 0.92), "spelled nearly the same"),
        Level(_jw("surname", 0.80), "spelled somewhat alike"),
        # one record has the double surname, the other one part of it (or another part order)
        Level(
            'list_has_any("surname_parts_l", "surname_parts_r")',
            "sharing one part of a double surname",
            m=0.01,
            u=1e-4,
        ),
        Level("ELSE", "different"),
    ),
    "surname",
    "missing on one side, or transposed with the forename",
)

DOB = Comparison(
    "dob",
    _null("dob"),
    (
        Level('"dob_l" = "dob_r"', "the same"),
        Level(
            'year("dob_l") = year("dob_r") AND month("dob_l") = day("dob_r") '
            'AND day("dob_l") = month("dob_r")',
            "the same with day and month swapped",
        ),
        Level(
            'damerau_levenshtein(CAST("dob_l" AS VARCHAR), CAST("dob_r" AS VARCHAR)) <= 1 '
            'OR abs(date_diff(\'day\', "dob_l", "dob_r")) <= 1',
            "one digit or one day apart",
        ),
        # the year misremembered or mistyped (1989 for 1990 is two digits), the day kept
        Level(
            'abs(date_diff(\'day\', "dob_l", "dob_r")) BETWEEN 364 AND 367',
            "a year apart, on the same day of the year",
        ),
        Level(
            'year("dob_l") = year("dob_r") AND month("dob_l") = month("dob_r")',
            "in the same month",
        ),
        Level('abs(date_diff(\'day\', "dob_l", "dob_r")) <= 366', "within a year"),
        Level("ELSE", "different"),
    ),
    "date of birth",
)

SEX = Comparison(
    "sex",
    _null("sex"),
    (
        Level('"sex_l" = "sex_r"', "the same", m=0.99, u=0.5),
        Level("ELSE", "different", m=0.01, u=0.5),
    ),
    "sex",
)

IDS = Comparison(
    "ids",
    '("pnc_l" IS NULL OR "pnc_r" IS NULL) AND ("cro_l" IS NULL OR "cro_r" IS NULL)',
    (
        Level('"pnc_l" = "pnc_r"', "the same PNC id"),
        Level('"cro_l" = "cro_r"', "the same CRO number"),
        Level("ELSE", "different"),
    ),
    "police identifiers:",
)

# The nominal's circle (`associates`, prepare.py) is weighed here, not as a comparison of
# its own: people who share a home are mostly a family, who also turn up together, so
# "someone in common" is evidence only where no home is shared (Splink's comparisons are
# independent given match status; one comparison's levels are not).
_SHARED_ASSOCIATE = 'list_has_any("associates_l", "associates_r")'
ADDRESS = Comparison(
    "address",
    f'({_null("districts")}) AND NOT coalesce(list_has_any("associates_l", "associates_r"), false)',
    (
        # The same home (one UPRN or address record) is far rarer between strangers than a
        # shared postcode, and the rarer the larger the force: evidence that grows with the
        # index, as the prior shrinks with it.
        Level('list_has_any("homes_l", "homes_r")', "a shared home"),
        # two records of one person are often each tied to the same mother, partner or
        # household at incidents, which strangers of one name are not; a sibling differs in
        # forename and date of birth, a father of one name in date of birth by a generation
        Level(
            _SHARED_ASSOCIATE,
            "no shared home, but someone recorded with both (a relationship or an incident)",
        ),
        Level('list_has_any("postcodes_l", "postcodes_r")', "a shared postcode"),
        Level('list_has_any("districts_l", "districts_r")', "a shared postcode district"),
        Level("ELSE", "none shared"),
    ),
    "addresses and associates:",
)

COMPARISONS: tuple[Comparison, ...] = (FORENAME, SURNAME, DOB, SEX, IDS, ADDRESS)


def _undated(keys: str) -> tuple[CustomRule, CustomRule]:
    """`keys` where one side has no date of birth, as two rules, one per side: a filter on one
    side is applied before the join, so the join pairs the few undated records with their
    block, never every pair of a block of names."""
    return (
        CustomRule(f"l.dob IS NULL AND {keys}"),
        CustomRule(f"r.dob IS NULL AND l.dob IS NOT NULL AND {keys}"),
    )


# Candidate pairs: each rule is an equi-join, so DuckDB hashes rather than compares all.
# Together they catch a name variant (dob + surname), a surname change or typo (dob +
# forename), a wrong date of birth (names + year: swaps and day typos; names + month: a year
# out, with or without a day out), a missing one (names, only where a side has none), a name
# varied and the date slipped at once (one name + year + the other's initial), a double
# surname (a part of it + forename + dob), transposed names, two errors at once at one home
# (forename + postcode) or among the same people (someone recorded with both + the
# forename's initial), and an id. No rule joins on names alone: on a force of millions,
# `John Smith` would pair hundreds of people with each other. Over several forces, the rules
# without an exact date of birth, an id or a postcode pair records within a force (`forces.py`).
PREDICT_BLOCKING = (
    block_on("pnc"),
    block_on("cro"),
    block_on("dob", "surname"),
    block_on("dob", "forename_canon"),
    block_on("surname", "forename_canon", "yob"),
    block_on("surname", "forename_canon", "month(dob)"),
    # no date of birth on a side: the names (the surname's first letters, or the forename's
    # initial) where one record has none
    *_undated(
        "l.forename_canon = r.forename_canon AND substr(l.surname, 1, 3) = substr(r.surname, 1, 3)"
    ),
    *_undated("l.surname = r.surname AND substr(l.forename1, 1, 1) = substr(r.forename1, 1, 1)"),
    # one name varied and the date of birth slipped within its year
    block_on("surname", "yob", "substr(forename1, 1, 1)"),
    block_on("forename_canon", "yob", "substr(surname, 1, 1)"),
    # one name varied and the year slipped (the day and month kept)
    block_on("surname", "month(dob)", "day(dob)", "substr(forename1, 1, 1)"),
    block_on("forename_canon", "month(dob)", "day(dob)", "substr(surname, 1, 1)"),
    # a part of a double surname, the forename and the date of birth
    block_on("surname_parts", "forename_canon", "dob", arrays_to_explode=["surname_parts"]),
    CustomRule("l.forename1 = r.surname AND l.surname = r.forename1"),  # names transposed
    # someone in common (a relationship or a small occurrence), and the forename's initial
    block_on("associates", "substr(forename1, 1, 1)", arrays_to_explode=["associates"]),
    block_on("forename_canon", "postcode1"),
    # a typo in each name (rarely in the first letter) where the date of birth agrees, or at
    # one home postcode whatever the date of birth says
    block_on("dob", "substr(surname, 1, 1)", "substr(forename1, 1, 1)"),
    block_on("postcode1", "substr(surname, 1, 1)", "substr(forename1, 1, 1)"),
)

# A prisoner or partner record against the nominals: the same rules but those that explode a
# list (the nominals' circle is the nominal index's own; a list exploded on both sides of a
# link costs more than the few prisoners it would reach), a part of a double surname being
# reached there by the date of birth and the forename.
LINK_BLOCKING = tuple(r for r in PREDICT_BLOCKING if not getattr(r, "_arrays_to_explode", None))

# Training on pairs the police identifiers prove are one person. On a force-sized index every
# block chosen by names or date of birth also holds families: a father and son of one name at
# one home (EM then learns that one person's dates of birth often differ completely) and twins
# (that one person's forenames often differ). Records sharing a valid PNC or CRO are the same
# person whatever their names and dates say, so EM on them learns how one person's records
# differ, uncontaminated; a second block (same names and date of birth) learns the identifiers.
ID_PAIRS = "(l.pnc = r.pnc OR l.cro = r.cro) AND l.record_id <> r.record_id"
EM_ID_BLOCKING: tuple[str | BlockingRuleCreator, ...] = (
    "l.pnc = r.pnc AND l.record_id <> r.record_id",  # learns names, dob, sex, address
    block_on("surname", "forename1", "dob"),  # learns ids (and sex, address)
)
# Without enough id-linked pairs (a partner agency has no police ids): blocks that are mostly
# one person's pairs, each leaving a comparison free to learn.
EM_BLOCKING: tuple[str | BlockingRuleCreator, ...] = (
    block_on("dob", "surname"),  # learns forename, sex, ids, address
    block_on("surname", "forename1", "postcode1"),  # learns date of birth (and sex, ids)
    block_on("dob", "forename1"),  # learns surname
)
MIN_ID_PAIRS = 200

# The deterministic rule for the prior. Its recall is measured on the id-linked pairs (the
# share of them it also finds), not assumed; PRIOR_RECALL stands in only without them.
PRIOR_RULE = block_on("surname", "forename1", "dob")
PRIOR_RULE_SQL = "{a}.surname = {b}.surname AND {a}.forename1 = {b}.forename1 AND {a}.dob = {b}.dob"
PRIOR_RECALL = 0.7

COLUMNS = (
    "unique_id",
    "record_id",
    "surname",
    "forename1",
    "forename_canon",
    "forename_tokens",
    "dob",
    "yob",
    "postcode1",
    "sex",
    "pnc",
    "cro",
    "postcodes",
    "districts",
    "homes",
    "surname_parts",
    "associates",
)


def splink_comparisons(db: Backend) -> list[dict[str, Any]]:
    """The comparisons as Splink takes them, their conditions in the backend's dialect
    (written in DuckDB's, as all Paramount SQL is)."""
    out = [c.to_splink() for c in COMPARISONS]
    for comparison in out:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = db.translate_condition(level["sql_condition"])
    return out


def settings(link_type: LinkType, db: Backend, *, multi_force: bool = False) -> SettingsCreator:
    """The model's settings for a dedupe (`dedupe_only`) or a link (`link_only`); over
    several forces (`multi_force`), the prediction rules `forces.for_run` makes of them."""
    comparisons: list[ComparisonCreator | dict[str, Any]] = [*splink_comparisons(db)]
    chosen = PREDICT_BLOCKING if link_type == "dedupe_only" else LINK_BLOCKING
    rules: list[BlockingRuleCreator | dict[str, Any]] = list(chosen)
    if multi_force:
        as_dicts: list[dict[str, Any]] = [
            {**r.create_blocking_rule_dict(db.dialect)} for r in chosen
        ]
        rules = list(forces.for_run(as_dicts, multi=True, db=db))
    return SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=True,  # gamma columns come only with these
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["record_id"],
    )


def gamma_words() -> dict[str, dict[int, str]]:
    return {c.name: c.gamma_words() for c in COMPARISONS}


class TooFewRecordsToTrain(RuntimeError):
    """An extract too small for unsupervised training (a pilot area, a test fixture)."""


_SOURCE_WORDS = {
    NOMINAL_RECORDS: "the police nominal records",
    PRISONER_RECORDS: "the prisoner records",
    PARTNER_RECORDS: "the partner records",
}


@dataclass
class TrainedModel:
    """A linker ready to predict, and whether it was trained now or loaded."""

    linker: Linker
    db_api: DatabaseAPISubClass
    trained: bool
    path: Path


def build_linker(
    db: Backend,
    tables: list[str],
    *,
    link_type: LinkType,
    model_path: Path,
    retrain: bool,
    seed: int = 42,
    u_max_pairs: float = 5e6,
    warm_start: Path | None = None,
) -> TrainedModel:
    """Load the model at `model_path`, or train it on `tables` and save it there.

    A link model may start from the dedupe model's m probabilities (`warm_start`): the same
    kinds of error make records of one person differ in every source, and a prison-sized
    input is too small to learn them from scratch.
    """
    db_api = db.splink_api()  # the backend's own: Splink runs where the data is
    sdfs: list[SplinkDataFrame] = [db_api.register(t, dataset_display_name=t) for t in tables]
    inputs: SplinkDataFrame | list[SplinkDataFrame] = sdfs[0] if len(sdfs) == 1 else sdfs
    # Over several forces the loose prediction rules stay within a force (`forces.py`),
    # whichever run trained the model: its rules are this run's, not the saved ones.
    multi = forces.multi_force(db, tables)
    if model_path.exists() and not retrain and _same_comparisons(model_path, db):
        saved = _rules_for_run(in_dialect(json.loads(model_path.read_text()), db), multi, db)
        return TrainedModel(Linker(inputs, saved), db_api, False, model_path)

    if warm_start is not None and warm_start.exists():
        model = in_dialect(json.loads(warm_start.read_text()), db)
        model["link_type"] = link_type
        model["linker_uid"] = None
        if link_type == "link_only":  # the link's own rules (LINK_BLOCKING), not the dedupe's
            model["blocking_rules_to_generate_predictions"] = [
                r
                for r in model["blocking_rules_to_generate_predictions"]
                if not r.get("arrays_to_explode")
            ]
        model = _rules_for_run(model, multi, db)
        for comparison in model["comparisons"]:
            for level in comparison["comparison_levels"]:
                level.pop("u_probability", None)
        linker = Linker(inputs, model)
    else:
        linker = Linker(inputs, settings(link_type, db, multi_force=multi))
    n_id, found = id_linked_pairs(db, tables)
    if n_id >= MIN_ID_PAIRS:
        recall, em_rules, floor = max(found / n_id, 0.05), EM_ID_BLOCKING, 0.5 / n_id
    else:
        recall, em_rules, floor = PRIOR_RECALL, EM_BLOCKING, None
    linker.training.estimate_probability_two_random_records_match([PRIOR_RULE], recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    warm = warm_start is not None and warm_start.exists()
    for rule in em_rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except EMTrainingException as error:
            if warm:  # keep the warm start's m for what this block would have taught
                continue
            raise TooFewRecordsToTrain(
                f"{_SOURCE_WORDS.get(tables[0], tables[0])} hold too few records to train "
                "the identity model without labels (no pairs to learn from); resolve a "
                "fuller extract of the force first and reuse its models (paramount resolve "
                "--models), or use --method routes-exact"
            ) from error
    if floor is not None:
        linker = Linker(inputs, _floored(linker.misc.save_model_to_json(), floor))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    linker.misc.save_model_to_json(str(model_path), overwrite=True)
    return TrainedModel(linker, db_api, True, model_path)


def _rules_for_run(model: dict[str, Any], multi: bool, db: Backend) -> dict[str, Any]:
    """A saved model (Splink's JSON, in `db`'s dialect) with this run's prediction rules."""
    key = "blocking_rules_to_generate_predictions"
    return {**model, key: forces.for_run(model[key], multi=multi, db=db)}


def _same_comparisons(model_path: Path, db: Backend) -> bool:
    """Whether a saved model has this version's comparisons, level for level: one saved by an
    earlier version would be read with the wrong words and columns, so it is trained again.
    A model saved in DuckDB's dialect serves every engine (`in_dialect`); one saved by
    another engine serves that engine."""
    try:
        model = json.loads(model_path.read_text())
        saved, dialect = model["comparisons"], model.get("sql_dialect", DUCKDB)
    except (OSError, ValueError, KeyError):
        return False
    if dialect == DUCKDB:
        current = [c.to_splink() for c in COMPARISONS]
    elif dialect == db.dialect:
        current = splink_comparisons(db)
    else:
        return False

    def shape(comparisons: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
        return [
            (c["output_column_name"], [lv["sql_condition"] for lv in c["comparison_levels"]])
            for c in comparisons
        ]

    return shape(saved) == shape(current)


def in_dialect(model: dict[str, Any], db: Backend) -> dict[str, Any]:
    """A saved model (Splink's JSON) with its SQL in the backend's dialect: a model trained on
    DuckDB (a force's machine) is used as it is by Spark, its comparison levels and
    prediction rules translated by the backend's dialect layer."""
    if model.get("sql_dialect", DUCKDB) == db.dialect:
        return model
    model = json.loads(json.dumps(model))
    model["sql_dialect"] = db.dialect
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = db.translate_condition(level["sql_condition"])
    for rule in model["blocking_rules_to_generate_predictions"]:
        rule["blocking_rule"] = db.translate_condition(rule["blocking_rule"])
        rule["sql_dialect"] = db.dialect
    return model


def id_linked_pairs(db: Backend, tables: list[str]) -> tuple[int, int]:
    """(pairs of people sharing a valid PNC or CRO, how many of them the prior's rule also
    finds): the rule's recall among pairs known to be one person. A dedupe pairs a table with
    itself; a link pairs the first table with the second."""
    left, right = tables[0], tables[-1]
    rule = PRIOR_RULE_SQL.format(a="a", b="b")
    sql = " UNION ALL ".join(
        f"""SELECT a.record_id AS x, b.record_id AS y, {rule} AS hit
        FROM {left} AS a JOIN {right} AS b ON a.{key} = b.{key}
        WHERE a.record_id <> b.record_id"""
        + (" AND a.record_id < b.record_id" if left == right else "")
        for key in ("pnc", "cro")
    )
    n, found = db.fetch_tuples(
        f"SELECT count(*), count(*) FILTER (WHERE hit) FROM "
        f"(SELECT x, y, bool_or(coalesce(hit, false)) AS hit FROM ({sql}) GROUP BY x, y)"
    )[0]
    return int(n), int(found)


def _floored(model: dict[str, Any], floor: float) -> dict[str, Any]:
    """Give every level an m of at least `floor` (half a pair among the id-linked pairs),
    then renormalise: a level the training pairs never showed is rare for one person, not
    impossible, and a zero m would veto a pair outright."""
    model = json.loads(json.dumps(model))
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for lv in levels:
            lv["m_probability"] = max(lv.get("m_probability") or 0.0, floor)
        total = sum(lv["m_probability"] for lv in levels)
        for lv in levels:
            lv["m_probability"] /= total
    return model
