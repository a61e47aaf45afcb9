"""Precision, recall and F1 per field of the parser on the labelled set's held-out part
(`manage.py evaluate_requirements`; the figures in docs/requirements.md come from it).

Each field is scored as a set of values per sentence (micro-averaged over sentences): a
quantity is (value, unit), an amount (value, currency), a date its ISO form or its relative
phrase without spaces, a standard its code, a vague term its word. The category and the
responsible side are one value per sentence (an empty responsible side is no value)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .classifier import held_out, labelled_set, train
from .parser import read_sentence

FIELDS = ("category", "quantities", "dates", "amounts", "standards", "responsible", "vague_terms")


def _values(field: str, row: dict) -> set:
    value = row[field]
    if field in ("category", "responsible"):
        return {value} if value else set()
    if field == "quantities":
        return {(q["value"], q["unit"]) for q in value}
    if field == "amounts":
        return {(a["value"], a["currency"]) for a in value}
    if field == "dates":
        return {re.sub(r"\s+", "", d).lower() for d in value}
    if field == "vague_terms":
        return {v.lower() for v in value}
    return set(value)


@dataclass
class Score:
    field: str
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.true_positive + self.false_negative


def evaluate() -> tuple[list[Score], int, int, list[tuple[str, str, set, set]]]:
    """Scores on the held-out part (the classifier trained on the rest only), the sizes of
    both parts, and every miss as (field, sentence, expected, found)."""
    rows = labelled_set()
    training = [r for r in rows if not held_out(r)]
    test = [r for r in rows if held_out(r)]
    model = train(training)
    predicted = model.predict([r["text"] for r in test])
    scores = {f: Score(f) for f in FIELDS}
    misses = []
    for row, category in zip(test, predicted, strict=True):
        found = {**read_sentence(row["text"]), "category": str(category)}
        for field in FIELDS:
            want, got = _values(field, row), _values(field, found)
            score = scores[field]
            score.true_positive += len(want & got)
            score.false_positive += len(got - want)
            score.false_negative += len(want - got)
            if want != got:
                misses.append((field, row["text"], want, got))
    return list(scores.values()), len(training), len(test), misses
