"""Partner persons to the nominals on their encodings: the encoded person model and the link.

The comparisons read only what both encoded record tables hold (`encoded.py`):

- names: the Dice coefficient of the two name filters (twice the bits both set over the
  bits each sets: `bit_count` of the words ANDed), identical, >= 0.95, >= 0.9, >= 0.8,
  >= 0.7, else. "Else" is what twins look like (the surname agrees, the forename not), so
  the twins' guard reads it as the clear model reads a plainly different forename;
- date of birth: the same hash; day and month swapped (year, and month and day crosswise,
  under the one key); one digit or one day out (the partner's hash among the nominal's near
  dates); a year out on the same day; the same year and month; the same or the next year;
- sex as in the clear model; the postcode (shared postcode, shared district, neither).

Blocking: the same date of birth, the same home postcode, and the filter's bands with the
same year, the same day of the year, or (where a side has no date) alone: every rule an
equi-join.
Training is the clear partner model's without a warm start (the comparisons differ): the
prior from a deterministic rule (same date and identical filter) at an assumed recall, u by
random sampling, m by EM on blocks that each leave a comparison free.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from splink import Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.exceptions import EMTrainingException
from splink.internals.splink_dataframe import SplinkDataFrame

from paramount.db.backend import Backend
from paramount.linkage import chunks
from paramount.linkage.encoded import (
    BAND_COLUMNS,
    ENCODED_NOMINAL_RECORDS,
    ENCODED_PARTNER_RECORDS,
)
from paramount.linkage.link import write_candidates, write_no_candidates
from paramount.linkage.models import (
    PRIOR_RECALL,
    SEX,
    Comparison,
    Level,
    TooFewRecordsToTrain,
    TrainedModel,
)


def _dice(col: str) -> str:
    both = " + ".join(f'bit_count("{col}_l"[{i}] & "{col}_r"[{i}])' for i in range(1, 17))
    return f'(2.0 * ({both}) / ("{col}_bits_l" + "{col}_bits_r"))'


_DICE = _dice("clk")


def _either(lst: str, value: str) -> str:
    """The value of one side among the other side's list, either way round."""
    return (
        f'coalesce(list_contains("{lst}_l", "{value}_r"), false) '
        f'OR coalesce(list_contains("{lst}_r", "{value}_l"), false)'
    )


NAMES = Comparison(
    "enc_names",
    '"clk_bits_l" IS NULL OR "clk_bits_r" IS NULL',
    (
        # identical filters, weighed by how common the names are (as the clear model weighs
        # the same forename and surname by their frequencies)
        Level('"clk_key_l" = "clk_key_r"', "encoded identically", tf_column="clk_key"),
        Level(f"{_DICE} >= 0.95", "encoded all but the same (Dice >= 0.95)"),
        Level(f"{_DICE} >= 0.9", "encoded nearly the same (Dice >= 0.9)"),
        Level(f"{_DICE} >= 0.8", "encoded much alike (Dice >= 0.8)"),
        Level(f"{_DICE} >= 0.7", "encoded somewhat alike (Dice >= 0.7)"),
        Level("ELSE", "encoded differently"),
    ),
    "names (encoded)",
)
DOB = Comparison(
    "enc_dob",
    '"dob_hash_l" IS NULL OR "dob_hash_r" IS NULL',
    (
        Level('"dob_hash_l" = "dob_hash_r"', "the same"),
        Level(
            '"yob_hash_l" = "yob_hash_r" AND "month_hash_l" = "day_hash_r" '
            'AND "day_hash_l" = "month_hash_r"',
            "the same with day and month swapped",
        ),
        Level(_either("dob_near", "dob_hash"), "one digit or one day apart"),
        Level(
            '"month_hash_l" = "month_hash_r" AND "day_hash_l" = "day_hash_r" AND ('
            + _either("yob_near", "yob_hash")
            + ")",
            "a year apart, on the same day of the year",
        ),
        Level(
            '"yob_hash_l" = "yob_hash_r" AND "month_hash_l" = "month_hash_r"',
            "in the same month",
        ),
        Level(
            '"yob_hash_l" = "yob_hash_r" OR ' + _either("yob_near", "yob_hash"),
            "in the same or the next year",
        ),
        Level("ELSE", "different"),
    ),
    "date of birth (hashed)",
)
ENC_SEX = Comparison("enc_sex", SEX.null_sql, SEX.levels, "sex")
POSTCODE = Comparison(
    "enc_postcode",
    '"district_hashes_l" IS NULL OR "district_hashes_r" IS NULL',
    (
        Level('list_has_any("postcode_hashes_l", "postcode_hashes_r")', "a shared postcode"),
        Level('list_has_any("district_hashes_l", "district_hashes_r")', "a shared district"),
        Level("ELSE", "none shared"),
    ),
    "postcode (hashed):",
)
ENCODED_COMPARISONS: tuple[Comparison, ...] = (NAMES, DOB, ENC_SEX, POSTCODE)
NAMES_DIFFERENT = 0  # the names comparison's else level: the twins' guard
_GAMMAS = [f"gamma_{c.name}" for c in ENCODED_COMPARISONS]


def _undated(keys: str) -> tuple[CustomRule, CustomRule]:
    """`keys` where one side has no date of birth, one rule a side (as `models._undated`)."""
    return (
        CustomRule(f"l.dob_hash IS NULL AND {keys}"),
        CustomRule(f"r.dob_hash IS NULL AND l.dob_hash IS NOT NULL AND {keys}"),
    )


ENCODED_BLOCKING: tuple[BlockingRuleCreator, ...] = (
    block_on("dob_hash"),
    block_on("postcode1_hash"),
    *(block_on("yob_hash", band) for band in BAND_COLUMNS),
    *(block_on("month_hash", "day_hash", band) for band in BAND_COLUMNS),
    *(r for band in BAND_COLUMNS for r in _undated(f"l.{band} = r.{band}")),
)
EM_BLOCKING: tuple[BlockingRuleCreator, ...] = (
    block_on("dob_hash"),  # learns names, sex, postcode
    block_on("clk_key"),  # learns date of birth, sex and postcode
)
# A pair carries two filters of 128 bytes (each side's) besides what a clear pair carries:
# the pieces of a prediction are cut for that, and the sample of pairs u is estimated on is
# kept to 2 million.
ENCODED_BYTES_PER_PAIR = chunks.BYTES_PER_PAIR + 2 * 128
U_MAX_PAIRS = 2e6
PRIOR_RULE = CustomRule("l.dob_hash = r.dob_hash AND l.clk_bits = r.clk_bits AND l.clk = r.clk")


def _comparisons(db: Backend) -> list[dict[str, Any]]:
    out = [c.to_splink() for c in ENCODED_COMPARISONS]
    for comparison in out:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = db.translate_condition(level["sql_condition"])
    return out


def _same_comparisons(path: Path, db: Backend) -> bool:
    try:
        saved = json.loads(path.read_text())["comparisons"]
    except (OSError, ValueError, KeyError):
        return False

    def shape(comparisons: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
        return [
            (c["output_column_name"], [lv["sql_condition"] for lv in c["comparison_levels"]])
            for c in comparisons
        ]

    return shape(saved) == shape(_comparisons(db))


def build_encoded_linker(
    db: Backend, *, model_path: Path, retrain: bool, seed: int = 42
) -> TrainedModel:
    """Load the encoded partner model at `model_path`, or train it and save it there."""
    db_api = db.splink_api()
    tables = [ENCODED_PARTNER_RECORDS, ENCODED_NOMINAL_RECORDS]
    sdfs: list[SplinkDataFrame] = [db_api.register(t, dataset_display_name=t) for t in tables]
    if model_path.exists() and not retrain and _same_comparisons(model_path, db):
        return TrainedModel(
            Linker(sdfs, json.loads(model_path.read_text())), db_api, False, model_path
        )
    comparisons: list[ComparisonCreator | dict[str, Any]] = [*_comparisons(db)]
    rules: list[BlockingRuleCreator | dict[str, Any]] = list(ENCODED_BLOCKING)
    linker = Linker(
        sdfs,
        SettingsCreator(
            link_type="link_only",
            comparisons=comparisons,
            blocking_rules_to_generate_predictions=rules,
            retain_matching_columns=True,
            retain_intermediate_calculation_columns=False,
            additional_columns_to_retain=["record_id"],
        ),
    )
    linker.training.estimate_probability_two_random_records_match([PRIOR_RULE], recall=PRIOR_RECALL)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
    for rule in EM_BLOCKING:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except EMTrainingException as error:
            raise TooFewRecordsToTrain(
                "the encoded partner records hold too few records to train the encoded "
                "partner model without labels (no pairs to learn from)"
            ) from error
    model_path.parent.mkdir(parents=True, exist_ok=True)
    linker.misc.save_model_to_json(str(model_path), overwrite=True)
    return TrainedModel(linker, db_api, True, model_path)


def link_encoded_partners(
    db: Backend, *, out: str, model_path: Path, retrain: bool, accept: float, review: float
) -> bool:
    """`out` as `link.link_to_nominals` writes it (one row per partner record and candidate
    entity at `review` or more, `rank`, `taken`), with the encoded comparisons' gammas.
    Returns whether it trained."""
    (rows,) = db.fetch_tuples(f"SELECT count(*) FROM {ENCODED_PARTNER_RECORDS}")[0]
    if rows == 0:
        write_no_candidates(db, out, _GAMMAS)
        return False
    model = build_encoded_linker(db, model_path=model_path, retrain=retrain)
    tables = [ENCODED_PARTNER_RECORDS, ENCODED_NOMINAL_RECORDS]
    predictions = chunks.predict(
        db, model, tables, threshold=review, bytes_per_pair=ENCODED_BYTES_PER_PAIR
    )
    named = f"max(s.match_probability) FILTER (WHERE s.gamma_enc_names <> {NAMES_DIFFERENT})"
    write_candidates(
        db,
        out,
        predictions.physical_name,
        ENCODED_PARTNER_RECORDS,
        _GAMMAS,
        named_probability=named,
        accept=accept,
    )
    predictions.drop_table_from_database_and_remove_from_cache()
    return model.trained
