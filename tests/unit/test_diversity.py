"""Prompt-set diversity metrics (distinct n-grams, self-BLEU) against hand counts and NLTK's BLEU."""

from __future__ import annotations

import random

import pytest

from alignkit.eval.diversity import distinct_n, diversity_metrics, self_bleu, sentence_bleu, words


def test_distinct_n_by_hand():
    texts = ["the cat sat", "the cat ran"]
    assert distinct_n(texts, 1) == pytest.approx(4 / 6)  # the, cat, sat, ran of 6 words
    assert distinct_n(texts, 2) == pytest.approx(3 / 4)  # (the cat) twice, (cat sat), (cat ran)


def test_sentence_bleu_matches_nltk_with_method1_smoothing():
    nltk_bleu = pytest.importorskip("nltk.translate.bleu_score")
    rng = random.Random(0)
    vocab = "a b c d e f g h the of cat dog".split()
    smooth = nltk_bleu.SmoothingFunction().method1
    for _ in range(200):
        hyp = [rng.choice(vocab) for _ in range(rng.randint(1, 12))]
        refs = [[rng.choice(vocab) for _ in range(rng.randint(1, 12))] for _ in range(rng.randint(1, 3))]
        want = nltk_bleu.sentence_bleu(refs, hyp, smoothing_function=smooth)
        assert sentence_bleu(hyp, refs) == pytest.approx(want, abs=1e-9), (hyp, refs)


def test_self_bleu_orders_sets_by_similarity():
    same = ["give me ideas for a rainy day with kids"] * 4
    varied = ["give me ideas for a rainy day with kids", "explain how hurricanes form over warm oceans",
              "write a haiku about a lighthouse keeper", "compare e-books and paper books for students"]
    assert self_bleu(same) == pytest.approx(1.0)
    assert self_bleu(varied) < 0.2
    m_same, m_varied = diversity_metrics(same), diversity_metrics(varied)
    assert m_varied["distinct_2"] > m_same["distinct_2"]
    assert m_same["mean_words"] == len(words(same[0]))
