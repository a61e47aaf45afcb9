"""The category of a requirement sentence: TF-IDF over jieba words and character 1- to 3-grams,
then logistic regression (scikit-learn), trained on the labelled set's training part
(data/labelled.jsonl, docs/requirements.md) the first time a sentence is categorised in a
process (about 0.2 s), then kept. The held-out part is never trained on: the evaluation
command scores it."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

jieba.setLogLevel(logging.WARNING)

LABELLED = Path(__file__).with_name("data") / "labelled.jsonl"


def labelled_set() -> list[dict]:
    with LABELLED.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip() and not line.startswith("#")]


def held_out(row: dict) -> bool:
    """One sentence in three, chosen by a hash of its text: stable whatever the file order."""
    return hashlib.sha256(row["text"].encode()).digest()[0] % 3 == 0


def _words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text.lower()) if w.strip()]


def train(rows: list[dict]):
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(tokenizer=_words, token_pattern=None, lowercase=False)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)),
        ]
    )
    model = make_pipeline(features, LogisticRegression(max_iter=2000, C=20.0))
    model.fit([r["text"] for r in rows], [r["category"] for r in rows])
    return model


@functools.cache
def _model():
    return train([row for row in labelled_set() if not held_out(row)])


def categorise(sentences: list[str]) -> list[str]:
    if not sentences:
        return []
    return [str(c) for c in _model().predict(sentences)]
