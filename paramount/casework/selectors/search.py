"""What a case search box understands, as one query: a forename, a surname or part of either
(case-insensitive), a postcode or its first half (spaces and case ignored), a date of birth
(27/3/2015, 27-3-2015, 27 3 2015 or 2015-03-27), a case reference, a child's pseudonym or a
prison number. The text is read once (`parse`), so the form can refuse a date that is not
real and the audit record can say what kind of search it was.

The match is a subquery on `CaseChild` (`case_search_q`), to be applied to a queryset that is
already bounded by `scope`: a search never widens what the user may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace, Upper

from paramount.casework.models import CaseChild

_DMY = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?(\d[A-Z]{2})?$")  # normalised: no spaces
_NAME_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’.-])*$")  # letters, ' . -
MIN_NAME_PART = 2  # one letter would match nearly everyone


class NotARealDate(ValueError):
    """The text looks like a date of birth but is not a real date."""


@dataclass(frozen=True)
class SearchTerms:
    text: str
    date_of_birth: date | None = None
    postcode: str = ""  # normalised: upper case, no spaces
    name_parts: tuple[str, ...] = ()

    @property
    def kinds(self) -> list[str]:
        """What the text was read as (for the audit record): identifiers always."""
        kinds = ["reference"]
        if self.date_of_birth:
            kinds.append("date_of_birth")
        if self.postcode:
            kinds.append("postcode")
        if self.name_parts:
            kinds.append("name")
        return kinds


def normalise_postcode(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def _date(text: str) -> date | None:
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        raise NotARealDate(text) from None


def parse(text: str) -> SearchTerms:
    """Read the search box. Raises `NotARealDate` for 31/2/2015 and the like."""
    text = " ".join((text or "").split())
    if not text:
        return SearchTerms(text="")
    dob = _date(text)
    if dob is not None:
        return SearchTerms(text=text, date_of_birth=dob)
    postcode = normalise_postcode(text)
    if not _POSTCODE.match(postcode):
        postcode = ""
    words = tuple(w for w in text.split() if _NAME_WORD.match(w) and len(w) >= MIN_NAME_PART)
    if len(words) != len(text.split()):
        words = ()  # a word with digits is not a name (a prison number, a postcode)
    return SearchTerms(text=text, postcode=postcode, name_parts=words)


def _matching_case_children(terms: SearchTerms) -> QuerySet[CaseChild]:
    text = terms.text
    q = Q(child__pseudonym__iexact=text) | Q(reception__prisoner__prisoner_number__iexact=text)
    qs = CaseChild.objects.all()
    if terms.date_of_birth:
        q |= Q(child__date_of_birth=terms.date_of_birth)
    if terms.postcode:
        qs = qs.annotate(
            _case_postcode=Replace(Upper("postcode"), Value(" "), Value("")),
            _child_postcode=Replace(Upper("child__postcode"), Value(" "), Value("")),
        )
        q |= Q(_case_postcode__startswith=terms.postcode)
        q |= Q(_child_postcode__startswith=terms.postcode)
    if terms.name_parts:
        every = Q()
        for part in terms.name_parts:  # each part in the forenames or the surname
            every &= Q(child__forenames__icontains=part) | Q(child__surname__icontains=part)
        q |= every
    return qs.filter(q)


def case_search_q(terms: SearchTerms) -> Q:
    """The cases the search finds, as a Q on `Case` (apply to a scoped queryset)."""
    return Q(reference__iexact=terms.text) | Q(
        pk__in=_matching_case_children(terms).values("case_id")
    )
