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
    # an 18-23 year old living with younger siblings. Range 0.15-0.40: ONS counts ~1 in 4
    # adults of 20-34 living with parents (more in high-rent areas, more among young men,
    # who are most of the prisoners); facts.md: the MoJ text-mined prisoners 35 and under
    p_young_adult_at_home: float = 0.18
    # the oldest young adult still at home, years (exclusive). Range 24-30: the same ONS
    # figure runs to 34; prisoners in their twenties at the family home are the sibling trap
    young_adult_max_age: float = 24.0
    p_twins: float = 0.035  # of families with 2+ children (ONS multiple births ~1.5%/birth)
    p_lone_mother_father_known: float = 0.9  # the non-resident father is a real person
    # a lone mother's later child by another man than the separated father (0-0.3: many
    # lone mothers' children have different fathers); with p_ex_partner_child_wrong_link,
    # the ex-partner's child by another father recorded as the prisoner's
    p_lone_mother_child_other_father: float = 0.0
    p_sep_parent_new_partner: float = 0.3  # the separated parent lives with a new partner
    # lone-mother families with an earlier, ended step-father. Range 0.05-0.30: ~1 in 10
    # couple families with children are step (ONS), and they end more often than first
    # unions; forces that record cohabitation thoroughly see more of them
    p_ex_step: float = 0.12
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
    # men who left a step-family, and young adults at the family home, relative to other men
    # (ranges 2-6 and 1.5-4): the independent forces' checkers found ended step-fathers and
    # young prisoners at home behind 24 % and 36 % of wrong rows, so they are common among
    # the received there; both groups are young, unsettled, and known to police
    ex_step_offending_factor: float = 3.0
    young_adult_offending_factor: float = 1.6

    # --- police records (contract: 1-5M nominals, 1-10M occurrences at 2.4M residents) ------
    generic_occurrences_per_1000_per_year: float = 62.0
    da_occurrences_per_1000_per_year: float = 9.0  # DA ~15-20% of recorded incidents
    cp_occurrences_per_1000_per_year: float = 1.8
    missing_per_1000_per_year: float = 1.6
    welfare_per_1000_per_year: float = 4.0
    p_da_child_present: float = 0.55
    # how often links are recorded: each range spans forces that fill the POLE "parent or
    # guardian" field rarely to routinely (facts.md: Encompass links are the best held)
    p_da_record_parent_link: float = 0.16  # Encompass link per child present; 0.06-0.35
    p_cp_record_parent_link: float = 0.35  # 0.15-0.6: mandatory field for vulnerable child
    p_missing_nok_link: float = 0.35  # 0.15-0.6
    p_custody_child_link: float = 0.03  # 0.01-0.08
    p_intel_child_link: float = 0.02  # 0.005-0.06
    # in which direction: a share recorded from the adult's record (PARENT), the rest from
    # the child's (CHILD), some both. Ranges 0.2-0.8 and 0.0-0.3: systems differ in which
    # record the officer opens first, and whether the inverse row is written automatically
    p_link_from_parent: float = 0.5
    p_link_both_directions: float = 0.15
    # young adults at the family home arrested there: brothers and sisters named at the
    # arrest (0.2-0.8), and a SIBLING row recorded for them (0.1-0.7); some forces write a
    # sibling a generation younger as the adult's CHILD/PARENT by mistake (0-0.15: judgement)
    p_sibling_at_arrest: float = 0.5
    p_sibling_link_recorded: float = 0.6
    p_sibling_recorded_as_parent: float = 0.0
    # young adults at home present at the household's domestic incidents with their younger
    # siblings (0.1-0.8): the shared-incident half of the sibling trap
    p_young_adult_at_family_da: float = 0.0
    # ended step-families: the family's old incidents recorded him as step-parent (0.3-0.9),
    # and his move out never recorded, so the family home stays his open HOME row (0-0.6:
    # MoPI reviews rarely close an address; judgement)
    p_ex_step_old_link: float = 0.7
    p_move_not_recorded: float = 0.0
    # a single wrong link: an unrelated adult (the mother's boyfriend, a neighbour, a family
    # friend) recorded once as a child's PARENT, with little else, per prisoner (0-0.06:
    # judgement; the independent forces' checkers found this a quarter of wrong rows)
    p_prisoner_wrong_parent_link: float = 0.0
    # an ex-partner's child by another father recorded as the prisoner's child at their
    # domestic incidents, per such child present (0-0.15: officers assume the man is the dad)
    p_ex_partner_child_wrong_link: float = 0.0
    # children reachable only through the other parent: a share of non-resident prisoner
    # parents whose direct links to the child are never recorded (no police row, not
    # declared), while they are recorded with the mother as EX_PARTNER/PARTNER or at her
    # domestic incidents and she as the child's parent (0-0.5: the independent forces'
    # checkers found two in three missed children had no direct link)
    p_only_via_other_parent: float = 0.0
    p_link_on_duplicate: float = 0.2  # a recorded link attached to a duplicate nominal
    # duplicate nominals: 0.02-0.12 of adults, 0.05-0.25 of children (children are
    # recorded by many officers before they have any identifier; judgement)
    p_duplicate_adult: float = 0.05
    p_duplicate_child: float = 0.12
    # a child's duplicate nominal under the other parent's surname (0-0.4: judgement)
    p_duplicate_child_other_surname: float = 0.0
    p_prisoner_has_nominal: float = 0.96
    p_offender_charged: float = 0.65  # offenders with a PNC id
    p_pnc_long_form: float = 0.4
    p_pnc_bad_check: float = 0.015
    p_pnc_missing_prison: float = 0.05
    p_cro: float = 0.35

    # --- prison records -------------------------------------------------------------------
    # a child declared as a contact. Range 0.2-0.6: the MoJ counted only 53 % of parents
    # directly (facts.md); prisons differ in whether they ask
    p_contact_child: float = 0.38
    contact_child_lives_with_factor: float = 1.3  # children at home are declared more often
    p_contact_child_dob: float = 0.35  # declared children with a date of birth (0.15-0.7)
    # a declared child of 18 or over still declared (0.1-0.6), and with a date of birth
    # (0.05-0.5); an undated SON of a prisoner of 52 is most likely an adult
    p_contact_adult_child: float = 0.3
    p_contact_adult_child_dob: float = 0.35
    # prisoners of 38 or more declaring grown-up children who have no place in the world's
    # families (0-0.06 per prisoner: most prisoners over 40 have adult children, few list them)
    p_prisoner_declares_adult_child: float = 0.0
    # an ended step-father declaring his former step-children as SSON/SDAU (0-0.4)
    p_contact_ex_step_child: float = 0.0
    # a declared child whose surname differs from the prisoner's declared under his (0-0.5:
    # fathers give their own name; the child's records carry the mother's)
    p_contact_child_prisoner_surname: float = 0.0
    p_contact_name_variant: float = 0.22  # nickname or spelling variant as declared (0.1-0.4)
    p_contact_typo: float = 0.04  # per name (0.01-0.1)
    p_contact_partner: float = 0.6
    p_prisoner_alias: float = 0.15
    p_prisoner_name_variant: float = 0.1
    p_prisoner_dob_error: float = 0.03
    p_prisoner_postcode_null: float = 0.07
    p_prisoner_postcode_stale: float = 0.06

    # --- children's social care (DfE: ~3.3% of children are children in need) ------------
    # partner coverage: households with a child protection occurrence known to social care
    # (0.6-0.95), with children at domestic abuse (0.05-0.3), any other (0.005-0.03)
    p_partner_cp_household: float = 0.85
    p_partner_da_household: float = 0.12
    p_partner_random_household: float = 0.012

    # --- noise ----------------------------------------------------------------------------
    p_forenames_with_middle: float = 0.3
    # spelling variants and typos on nominals: 0.01-0.08 and 0.01-0.05; on duplicates (the
    # reason they were not merged) 0.2-0.6 and 0.05-0.3
    p_nominal_name_variant: float = 0.03
    p_nominal_typo: float = 0.02
    p_nominal_dob_error: float = 0.02
    p_nominal_dob_missing: float = 0.02
    p_duplicate_name_variant: float = 0.35
    p_duplicate_typo: float = 0.15
    p_duplicate_dob_error: float = 0.2
    p_duplicate_dob_missing: float = 0.1


DEFAULT_PARAMS = SynthParams()
