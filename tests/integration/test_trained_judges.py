"""The trained LLM judges (the embedded model trained by recipes/judges_train/embedded.yaml, built into the cache
on first use) against the untrained embedded model, on the same held-out validation items."""

from __future__ import annotations

import pytest

from alignkit.judges import load_judge
from alignkit.judges.check import check_judge, load_labeled, stratified

pytestmark = pytest.mark.slow
ITEMS = 40  # stratified validation items per judge: a few seconds per judge for the trained model


@pytest.mark.parametrize("name", ["llm_safety", "llm_false_refusal", "llm_factuality"])
def test_trained_judge_beats_the_untrained_model_by_a_wide_margin(name):
    items = stratified(load_labeled(name), ITEMS)
    with load_judge(name) as trained:  # model: smollm2-135m-judges
        t = check_judge(trained, items)
    with load_judge(name, model="smollm2-135m-instruct") as untrained:
        u = check_judge(untrained, items)
    assert t.n_failed == 0 and u.n_failed == 0
    assert t.accuracy >= 0.8, t.summary()
    assert t.accuracy >= u.accuracy + 0.2, (t.summary(), u.summary())
    # The trained judge answers the question: the decision words carry the next-token probability.
    assert t.mean_decision_mass >= 0.9 > u.mean_decision_mass, (t.mean_decision_mass, u.mean_decision_mass)
