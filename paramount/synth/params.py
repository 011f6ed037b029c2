"""Every tunable figure of the synthetic force, in one place, with where it comes from.

Figures marked *facts* come from `/work/shared/context/facts.md` (MoJ, Prison Reform Trust,
Crest Advisory, the Operation Paramount account); those marked *ONS* are rounded from the
2021 Census household tables; the rest are judgement, chosen so that the extract behaves
like a real force's at the scale the contract describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SynthParams:
    # --- time ------------------------------------------------------------------------------
    history_years: int = 10  # police records held (MoPI review periods keep roughly this much)
    movement_years: int = 3  # prison extract window before the extract date

    # --- households (ONS: household composition, England 2021, rounded) ---------------------
    # shares of "primary" households; separated parents' own homes are added on top.
    household_shares: dict[str, float] = field(
        default_factory=lambda: {
            "SINGLE": 0.30,  # ONS one-person households ~30% (separated parents add more)
            "COUPLE": 0.31,  # couples without dependent children, incl. older couples
            "COUPLE_KIDS": 0.175,  # couples with dependent children ~18-20% (plus young adults)
            "LONE_MOTHER": 0.07,  # lone parents ~11% of households, ~90% mothers
            "LONE_FATHER": 0.012,
            "STEP_FAMILY": 0.035,  # ONS: ~1 in 10 couple families with children are step
            "GP_CARER": 0.006,  # kinship care: ~1 in 70 children (Kinship charity estimate)
        }
    )
    kids_pmf: tuple[float, ...] = (0.45, 0.38, 0.12, 0.05)  # 1-4 dependent children (ONS)
    p_young_adult_at_home: float = 0.18  # an 18-23 year old living with younger siblings
    p_twins: float = 0.035  # of families with 2+ children (ONS multiple births ~1.5%/birth)
    p_lone_mother_father_known: float = 0.9  # the non-resident father is a real person
    p_sep_parent_new_partner: float = 0.3  # the separated parent lives with a new partner
    p_ex_step: float = 0.12  # lone-mother/step families with an earlier, ended step-father
    p_mixed_origin_couple: float = 0.08
    p_household_moved: float = 0.25  # moved house in the history (ONS ~10%/yr of renters)
    p_moved_from_outside: float = 0.12  # of movers: the previous home was outside the force
    out_of_area_ratio: float = 0.30  # neighbours' residents modelled, as share of the force's

    # --- shared premises -------------------------------------------------------------------
    p_single_shared_male_young: float = 0.08  # HMO/hostel among single men 18-45
    p_single_shared_other: float = 0.02
    p_lone_mother_refuge_hotel: float = 0.04  # refuges, temporary accommodation hotels
    shared_residents_mean: float = 12.0

    # --- offending and custody (facts) ---------------------------------------------------
    receptions_per_1000_per_year: float = 1.1  # Thames Valley ~2,500-3,000/yr at 2.42M
    female_offending_factor: float = 0.075  # women ~7-8% of receptions (facts)
    p_rebooked: float = 0.32  # released and received again within the window (recalls etc.)
    p_pre_window_booking: float = 0.12  # prisoners whose first booking began before the window
    p_recall_first: float = 0.06  # share of first bookings that are recalls (L/B/Y)
    p_recall_rebook: float = 0.45  # share of re-bookings that are recalls
    p_short_sentence: float = 0.35  # 32% get 6 months or less (PRT Bromley Briefings)
    # female prisoners' children mostly cared for by grandparents or fathers (PRT: 5% stay
    # in the family home, 9% with fathers): weight towards mothers already living apart
    absent_mother_offending_boost: float = 8.0

    # --- police records (contract: 1-5M nominals, 1-10M occurrences at 2.4M residents) ------
    generic_occurrences_per_1000_per_year: float = 62.0
    da_occurrences_per_1000_per_year: float = 9.0  # DA ~15-20% of recorded incidents
    cp_occurrences_per_1000_per_year: float = 1.8
    missing_per_1000_per_year: float = 1.6
    welfare_per_1000_per_year: float = 4.0
    p_da_child_present: float = 0.55
    p_da_record_parent_link: float = 0.16  # Encompass link recorded per child present
    p_cp_record_parent_link: float = 0.35
    p_missing_nok_link: float = 0.35
    p_custody_child_link: float = 0.03
    p_intel_child_link: float = 0.02
    p_link_on_duplicate: float = 0.2  # a recorded link attached to a duplicate nominal
    p_duplicate_adult: float = 0.05
    p_duplicate_child: float = 0.12
    p_prisoner_has_nominal: float = 0.96
    p_offender_charged: float = 0.65  # offenders with a PNC id
    p_pnc_long_form: float = 0.4
    p_pnc_bad_check: float = 0.015
    p_pnc_missing_prison: float = 0.05
    p_cro: float = 0.35

    # --- prison records -------------------------------------------------------------------
    p_contact_child: float = 0.38  # a child declared as a contact (MoJ: many are not)
    contact_child_lives_with_factor: float = 1.3  # children at home are declared more often
    p_contact_partner: float = 0.6
    p_prisoner_alias: float = 0.15
    p_prisoner_name_variant: float = 0.1
    p_prisoner_dob_error: float = 0.03
    p_prisoner_postcode_null: float = 0.07
    p_prisoner_postcode_stale: float = 0.06

    # --- children's social care (DfE: ~3.3% of children are children in need) ------------
    p_partner_cp_household: float = 0.85
    p_partner_da_household: float = 0.12
    p_partner_random_household: float = 0.012

    # --- noise ----------------------------------------------------------------------------
    p_forenames_with_middle: float = 0.3
    p_nominal_name_variant: float = 0.03
    p_nominal_typo: float = 0.02
    p_nominal_dob_error: float = 0.02
    p_nominal_dob_missing: float = 0.02
    p_duplicate_name_variant: float = 0.35
    p_duplicate_typo: float = 0.15
    p_duplicate_dob_error: float = 0.2
    p_duplicate_dob_missing: float = 0.1


DEFAULT_PARAMS = SynthParams()
