"""The force's own verdicts as labels: a correction of the decision model fitted on them.

The decision model's confidence is learnt without labels (EM on the force's pairs) and is
only as honest as its assumptions. A force's checkers label every row they check, so the
rows a force has listed and checked say where its data differ from what the model assumed.

The correction is a logistic regression with the model's own log-odds as its input (an
offset with a slope, as Platt scaling) and one weight per description of the row (each
comparison level, the routes, the child's age band, whether the date of birth is known...).
Each parameter has a Gaussian prior centred on "the model is right" (slope 1, intercept and
weights 0), so a handful of verdicts moves the confidence a little and a year's verdicts
move it as far as they show: the posterior mode is fitted by Newton's method. With no
verdicts, the correction is the identity.

Labels exist only for rows that were listed (checkers see nothing else), so the correction
is applied to score rows, never to promote a row the model did not list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paramount.engine.decision.model import FEATURES
from paramount.engine.sql import age_years_sql, literal

# The model's confidence is believed to at most 1 in 1,000 either way: beyond that, no
# force's labels could tell one row from another.
CLIP = 0.999
# The priors: the model's calibration is believed to within a fifth of its log-odds and half
# a unit of log-odds either way; a description's weight within half a unit, so the sum over
# a row's seventeen or so descriptions moves its log-odds by about two before any verdict.
# Chosen on development worlds 1 to 9 (benchmarks/verdict_loop.py): looser priors let the
# verdicts of a small force (40 to 80 a half-year) move every row, costing up to 8 % recall
# and doubling the calibration error; a weight's sd of 1 instead of 0.5 left the 900,000-
# person world's precision the same and its calibration error 0.023 rather than 0.015.
SLOPE_PRIOR_SD = 0.2
INTERCEPT_PRIOR_SD = 0.5
WEIGHT_PRIOR_SD = 0.5
# A listed row leaves the worklist only when the verdicts show, at this one-sided
# credibility (95 %), that rows like it are more often wrong than right: a force with few
# verdicts loses no child to the noise of a handful of them.
DOUBT_Z = 1.645
LOGODDS, INTERCEPT = "__logodds", "__intercept"  # the names of slope and intercept


def tokens_sql(alias: str = "d") -> str:
    """SQL: the descriptions of a decided row that the correction may weigh (a list)."""
    a = alias
    levels = ", ".join(f"'{f}=' || coalesce({a}.l_{f}, 'NA')" for f in FEATURES)
    age = age_years_sql(f"{a}.child_dob", f"{a}.reception_date")
    return f"""list_concat(
        list_value({levels},
            'dob=' || CASE WHEN {a}.child_dob IS NULL THEN 'none' ELSE 'known' END,
            'relationship=' || coalesce({a}.relationship, 'NA'),
            'age=' || CASE WHEN {a}.child_dob IS NULL THEN 'none'
                           WHEN {age} < 5 THEN '0_4' WHEN {age} < 11 THEN '5_10'
                           WHEN {age} < 16 THEN '11_15' ELSE '16_17' END,
            'lone=' || CASE WHEN {a}.p_lone < 0.95 THEN 'yes' ELSE 'no' END,
            'generation=' || CASE WHEN {a}.generation_q >= 0.05 THEN 'yes' ELSE 'no' END,
            'routes=' || CAST(least(3, array_length(string_split(coalesce({a}.sources, ''), ';')))
                              AS VARCHAR)),
        list_transform(string_split(coalesce({a}.sources, ''), ';'), lambda s: 'route=' || s))"""


def _logit_sql(confidence: str) -> str:
    """SQL: the model's log-odds, clipped as `_logit` clips them."""
    clipped = f"least(greatest({confidence}, {1 - CLIP}), {CLIP})"
    return f"ln({clipped} / (1 - {clipped}))"


def _logit(p: float) -> float:
    p = min(max(p, 1.0 - CLIP), CLIP)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Correction:
    """A fitted correction: calibrated log-odds = slope * model log-odds + intercept + the
    weights of the row's descriptions."""

    slope: float = 1.0
    intercept: float = 0.0
    weights: tuple[tuple[str, float], ...] = ()
    labels: int = 0
    rejected: int = 0
    # The posterior covariance of the parameters (Laplace: the inverse Hessian at the mode),
    # as (name, name, value) over LOGODDS, INTERCEPT and the descriptions.
    covariance: tuple[tuple[str, str, float], ...] = ()

    def logodds(self, confidence: float, tokens: Sequence[str]) -> float:
        w = dict(self.weights)
        return self.slope * _logit(confidence) + self.intercept + sum(w.get(t, 0.0) for t in tokens)

    def probability(self, confidence: float, tokens: Sequence[str]) -> float:
        return 1.0 / (1.0 + math.exp(-self.logodds(confidence, tokens)))

    def variance(self, confidence: float, tokens: Sequence[str]) -> float:
        """The posterior variance of a row's corrected log-odds."""
        x = {LOGODDS: _logit(confidence), INTERCEPT: 1.0, **{t: 1.0 for t in tokens}}
        return sum(x[a] * x[b] * v for a, b, v in self.covariance if a in x and b in x)

    def doubted(self, confidence: float, tokens: Sequence[str]) -> bool:
        """Whether the verdicts show, beyond doubt, a row like this is more often wrong."""
        z = self.logodds(confidence, tokens)
        return self.labels > 0 and z + DOUBT_Z * math.sqrt(self.variance(confidence, tokens)) < 0

    def variance_sql(self, confidence: str, tokens: str, key: str) -> str:
        """SQL: a query of (the key's columns..., variance) for the rows of a query `key`
        with columns `confidence` and `tokens` (the quadratic form over the covariance)."""
        if not self.covariance:
            return f"SELECT *, 0.0 AS variance FROM ({key})"
        entries = ", ".join(f"({literal(a)}, {literal(b)}, {v!r})" for a, b, v in self.covariance)
        return f"""
WITH rows AS (SELECT row_number() OVER () AS rid, * FROM ({key})),
elements AS (
    SELECT rid, unnest(list_concat(['{LOGODDS}', '{INTERCEPT}'], {tokens})) AS name,
           {_logit_sql(confidence)} AS lx
    FROM rows
),
x AS (SELECT rid, name, CASE name WHEN '{LOGODDS}' THEN lx ELSE 1.0 END AS x FROM elements),
cov(a, b, v) AS (VALUES {entries}),
q AS (
    SELECT p.rid, sum(p.x * r.x * c.v) AS variance
    FROM x AS p JOIN x AS r ON r.rid = p.rid
    JOIN cov AS c ON c.a = p.name AND c.b = r.name
    GROUP BY p.rid
)
SELECT rows.* EXCLUDE (rid), coalesce(q.variance, 0.0) AS variance
FROM rows LEFT JOIN q ON q.rid = rows.rid"""

    def sql(self, confidence: str, tokens: str) -> str:
        """SQL: the calibrated confidence of a row (its confidence and its tokens list);
        without labels, the confidence itself."""
        if self.labels == 0:
            return confidence
        return f"(1.0 / (1.0 + exp(-{self.logodds_sql(confidence, tokens)})))"

    def logodds_sql(self, confidence: str, tokens: str) -> str:
        """SQL: a row's corrected log-odds, as `logodds`."""
        x = _logit_sql(confidence)
        weighted = [(t, w) for t, w in self.weights if abs(w) >= 1e-6]
        if weighted:
            cases = " ".join(f"WHEN {literal(t)} THEN {w!r}" for t, w in weighted)
            weigh = f"lambda t: CASE t {cases} ELSE 0.0 END"
            extra = f"coalesce(list_sum(list_transform({tokens}, {weigh})), 0.0)"
        else:
            extra = "0.0"
        return f"({self.slope!r} * {x} + {self.intercept!r} + {extra})"

    def to_dict(self) -> dict[str, object]:
        strongest = sorted(self.weights, key=lambda tw: -abs(tw[1]))[:12]
        return {
            "labels": self.labels,
            "rejected": self.rejected,
            "slope": round(self.slope, 4),
            "intercept": round(self.intercept, 4),
            "strongest_weights": {t: round(w, 3) for t, w in strongest},
            "prior_sd": {
                "slope": SLOPE_PRIOR_SD,
                "intercept": INTERCEPT_PRIOR_SD,
                "weight": WEIGHT_PRIOR_SD,
            },
        }


def fit_correction(
    labelled: Sequence[tuple[float, Sequence[str], bool]],
) -> Correction:
    """The posterior mode of the correction given labelled rows (confidence the model
    states, the row's tokens, whether the checkers confirmed it)."""
    if not labelled:
        return Correction()
    vocab = sorted({t for _, tokens, _ in labelled for t in tokens})
    index = {t: i for i, t in enumerate(vocab)}
    x = np.zeros((len(labelled), 2 + len(vocab)))
    y = np.zeros(len(labelled))
    for r, (confidence, tokens, right) in enumerate(labelled):
        x[r, 0] = _logit(confidence)
        x[r, 1] = 1.0
        for t in tokens:
            x[r, 2 + index[t]] = 1.0
        y[r] = 1.0 if right else 0.0
    prior_mean = np.zeros(x.shape[1])
    prior_mean[0] = 1.0
    precision = np.array(
        [SLOPE_PRIOR_SD**-2, INTERCEPT_PRIOR_SD**-2] + [WEIGHT_PRIOR_SD**-2] * len(vocab)
    )

    def loss(theta: np.ndarray) -> float:
        z = x @ theta
        nll = np.sum(np.logaddexp(0.0, z) - y * z)
        return float(nll + 0.5 * np.sum(precision * (theta - prior_mean) ** 2))

    theta = prior_mean.copy()
    for _ in range(100):  # Newton with step halving: the loss is convex, so this converges
        p = 1.0 / (1.0 + np.exp(-(x @ theta)))
        gradient = x.T @ (p - y) + precision * (theta - prior_mean)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        before, rate = loss(theta), 1.0
        while loss(theta - rate * step) > before and rate > 1e-6:
            rate /= 2
        theta = theta - rate * step
        if np.max(np.abs(rate * step)) < 1e-9:
            break
    p = 1.0 / (1.0 + np.exp(-(x @ theta)))
    covariance = np.linalg.inv((x * (p * (1 - p))[:, None]).T @ x + np.diag(precision))
    names = [LOGODDS, INTERCEPT, *vocab]
    return Correction(
        slope=float(theta[0]),
        intercept=float(theta[1]),
        weights=tuple((t, float(theta[2 + i])) for t, i in index.items()),
        labels=len(labelled),
        rejected=int(len(labelled) - y.sum()),
        covariance=tuple(
            (a, b, float(covariance[i, j]))
            for i, a in enumerate(names)
            for j, b in enumerate(names)
            if abs(covariance[i, j]) > 1e-12
        ),
    )
