"""Fit the learned retriever's fusion weights, cross-validated over the two dev parts.

python eval/fit_fusion.py [--index-dir DIR] [--questions FILE] [--write]

1. Every answerable dev question gives its stage-one candidates (``LearnedRetriever.candidates``)
   with their feature rows, labelled by the evaluation's own ``is_hit``.
2. A linear scorer is fitted with a listwise softmax loss (ListNet, target spread over the hits)
   and an L2 penalty on the standardised features.
3. Signals are chosen by two-way cross-validation (train on ``dev-*``, test on ``d2-*``, and the
   reverse): starting from the first-stage scores, a signal (a group of features) is kept only
   when adding it raises mrr@10 or hit@1 in one direction and lowers neither in either. This runs
   for each penalty of ``L2_GRID``; the penalty whose selection has the best mean mrr@10 wins.
4. The chosen model is cross-validated again with the real retriever (``evaluate_retriever``,
   passages widened to ``Settings.passage_words`` as ``paperqa ask`` gets them) beside BM25 and
   the hybrid; with ``--write``, and only if both directions beat both on hit@1
   and mrr@10, the weights fitted on all dev questions go to ``src/paperqa/data/fusion.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from paperqa.files import write_atomic
from paperqa.retrieve import IndexStore, load_retriever
from paperqa.retrieve.evaluate import (
    default_questions_path,
    evaluate_retriever,
    is_answerable,
    is_hit,
    load_questions,
    part_of,
)
from paperqa.retrieve.features import FEATURES
from paperqa.retrieve.learned import FusionModel, LearnedRetriever
from paperqa.retrieve.window import widened
from paperqa.settings import Settings

L2_GRID = (0.01, 0.1, 1.0)
# Signals: groups of features that are kept or dropped together. The first is always kept.
SIGNALS = {
    "first stage": ("hybrid", "dense", "bm25"),
    "neighbours": ("before", "after"),
    "lexical": ("coverage", "sentence", "window", "bigram"),
    "numbers": ("numbers", "quantity", "number_window"),
    "reason": ("reason",),
    "section": ("section",),
    "shape": ("position", "length"),
    "paper": ("named", "title", "doc_share"),
}
CANDIDATES = 50
NAMED_CANDIDATES = 10
OUTPUT = Path(__file__).resolve().parents[1] / "src" / "paperqa" / "data" / "fusion.json"
SHOWN = ("hit@1", "hit@5", "hit@20", "mrr@10", "ndcg@10", "doc_hit@5")
Group = tuple[np.ndarray, np.ndarray]  # feature rows of one question's candidates, hit labels


def placeholder_model() -> FusionModel:
    """A model that ranks by the fused stage-one score alone (to collect candidates)."""
    n = len(FEATURES)
    weights = np.array([1.0 if f == "hybrid" else 0.0 for f in FEATURES])
    return FusionModel(FEATURES, np.zeros(n), np.ones(n), weights, CANDIDATES, NAMED_CANDIDATES)


def collect(retriever: LearnedRetriever, questions: list[dict[str, Any]]) -> dict[str, Group]:
    """Candidate feature rows and hit labels per question id.

    A candidate is labelled by its chunk as indexed, not by the wider passage a user gets
    (``Settings.passage_words``): cross-validated, chunk labels rank better (hit@1 on d2 / dev
    0.586 / 0.648 against 0.552 / 0.593 with passage labels).
    """
    groups = {}
    for q in questions:
        ids, rows = retriever.candidates(q["question"])
        labels = np.array([is_hit(retriever.chunks[i], q) for i in ids], dtype=np.float64)
        groups[q["id"]] = (rows, labels)
    return groups


def _loss(w: np.ndarray, groups: list[Group], l2: float) -> tuple[float, np.ndarray]:
    """ListNet loss (softmax cross-entropy, target uniform over hits) + L2, and its gradient."""
    total, grad = 0.0, np.zeros_like(w)
    for rows, labels in groups:
        z = rows @ w
        z = z - z.max()
        p = np.exp(z) / np.exp(z).sum()
        t = labels / labels.sum()
        total += float(np.log(np.exp(z).sum()) - t @ z)
        grad += rows.T @ (p - t)
    n = max(len(groups), 1)
    return total / n + l2 * float(w @ w), grad / n + 2 * l2 * w


def fit(groups: list[Group], drop: set[str], l2: float) -> FusionModel:
    """Standardises the features over the training rows and fits the weights."""
    used = [i for i, f in enumerate(FEATURES) if f not in drop]
    trainable = [(r, y) for r, y in groups if y.any()]
    stacked = np.vstack([r for r, _ in trainable])
    mean, scale = np.zeros(len(FEATURES)), np.ones(len(FEATURES))
    mean[used] = stacked[:, used].mean(axis=0)
    std = stacked[:, used].std(axis=0)
    scale[used] = np.where(std > 1e-9, std, 1.0)
    standard = [(((r - mean) / scale)[:, used], y) for r, y in trainable]
    result = minimize(_loss, np.zeros(len(used)), args=(standard, l2), jac=True, method="L-BFGS-B")
    weights = np.zeros(len(FEATURES))
    weights[used] = result.x
    mean[[i for i in range(len(FEATURES)) if i not in used]] = 0.0
    return FusionModel(FEATURES, mean, scale, weights, CANDIDATES, NAMED_CANDIDATES)


def candidate_metrics(model: FusionModel, groups: list[Group]) -> tuple[float, float]:
    """hit@1 and mrr@10 of the candidates reranked by ``model`` (the fused score breaks ties)."""
    hit1 = mrr = 0.0
    for rows, labels in groups:
        order = np.lexsort((-rows[:, FEATURES.index("hybrid")], -model.score(rows)))
        first = np.flatnonzero(labels[order])
        if len(first):
            hit1 += first[0] == 0
            mrr += 1 / (first[0] + 1) if first[0] < 10 else 0.0
    n = max(len(groups), 1)
    return hit1 / n, mrr / n


def _parts(groups: dict[str, Group]) -> tuple[str, str]:
    found = sorted({part_of(qid) for qid in groups}, reverse=True)  # dev, d2
    if len(found) != 2:
        raise SystemExit(f"need questions of exactly two parts, found {found}")
    return found[0], found[1]


def two_way(groups: dict[str, Group], drop: set[str], l2: float) -> list[np.ndarray]:
    """(hit@1, mrr@10) on each part of a model fitted on the other, from the candidates alone."""
    first, second = _parts(groups)
    result = []
    for train, test in ((first, second), (second, first)):
        model = fit([g for q, g in groups.items() if part_of(q) == train], drop, l2)
        tested = [g for q, g in groups.items() if part_of(q) == test]
        result.append(np.array(candidate_metrics(model, tested)))
    return result


def select(groups: dict[str, Group], l2: float, log: list[str]) -> tuple[set[str], float]:
    """The signals kept by forward selection (see the module notes), and their mean mrr@10."""
    kept = ["first stage"]
    dropped = lambda names: {f for s, fs in SIGNALS.items() if s not in names for f in fs}  # noqa: E731
    current = two_way(groups, dropped(kept), l2)
    log.append(f"l2={l2} first stage only: {_describe(current)}")
    changed = True
    while changed:
        changed = False
        for signal in SIGNALS:
            if signal in kept:
                continue
            trial = two_way(groups, dropped([*kept, signal]), l2)
            deltas = [t - c for t, c in zip(trial, current, strict=True)]
            better = all((d >= -1e-9).all() for d in deltas) and any(
                (d > 1e-9).any() for d in deltas
            )
            log.append(f"l2={l2} {'+' if better else '-'}{signal}: {_describe(trial)}")
            if better:
                kept.append(signal)
                current, changed = trial, True
    return dropped(kept), float(np.mean([c[1] for c in current]))


def _describe(figures: list[np.ndarray]) -> str:
    return "; ".join(
        f"{name} hit@1 {f[0]:.3f} mrr@10 {f[1]:.3f}"
        for name, f in zip(("test d2", "test dev"), figures, strict=True)
    )


def choose(groups: dict[str, Group], log: list[str]) -> tuple[set[str], float]:
    """The dropped features and L2 penalty whose selection has the best mean mrr@10."""
    options = [(*select(groups, l2, log), l2) for l2 in L2_GRID]
    drop, _, l2 = max(options, key=lambda o: (o[1], o[2]))
    return drop, l2


def _figures(metrics: dict[str, Any]) -> dict[str, float]:
    return {m: round(metrics[m], 3) for m in (*SHOWN, "p50_ms")}


def cross_validate(
    retriever: LearnedRetriever,
    words: int,
    baselines: dict[str, Any],
    questions: list[dict[str, Any]],
    groups: dict[str, Group],
    drop: set[str],
    l2: float,
) -> dict[str, Any]:
    """Each direction: fit on one part, evaluate every retriever on the other."""
    first, second = _parts(groups)
    report = {}
    for train, test in ((first, second), (second, first)):
        model = fit([g for qid, g in groups.items() if part_of(qid) == train], drop, l2)
        retriever.model = model
        tested = [q for q in questions if part_of(q["id"]) == test]
        row = {name: _figures(evaluate_retriever(r, tested, retriever.chunks)["metrics"])
               for name, r in baselines.items()}  # fmt: skip
        learned = widened(retriever, retriever.chunks, words)
        row["learned"] = _figures(evaluate_retriever(learned, tested, retriever.chunks)["metrics"])
        report[f"train {train} -> test {test}"] = row
    return report


def beats(report: dict[str, Any]) -> bool:
    """Whether the learned model beats every baseline on hit@1 and mrr@10 in every direction."""
    return all(
        row["learned"][m] > row[name][m]
        for row in report.values()
        for name in row
        if name != "learned"
        for m in ("hit@1", "mrr@10")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--questions", type=Path, default=None)
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.name} if it wins")
    args = parser.parse_args()
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    store = IndexStore.load(settings.index_dir)
    path = args.questions or default_questions_path()
    questions = [q for q in load_questions(path) if is_answerable(q)]
    chunk_level = settings.updated(passage_words=0)  # stage one sees the chunks as indexed
    dense, bm25 = (
        load_retriever(chunk_level, n, store, named_first=False) for n in ("dense", "bm25")
    )
    retriever = LearnedRetriever(dense, bm25, store.documents, placeholder_model())
    groups = collect(retriever, questions)
    log: list[str] = []
    drop, l2 = choose(groups, log)
    print("signal selection (two-way cross-validation on the candidates):")
    print("\n".join(f"  {line}" for line in log))
    print(f"chosen: L2 {l2}, features left out: {', '.join(sorted(drop)) or 'none'}")
    baselines = {
        n: load_retriever(settings, n, store, named_first=False) for n in ("bm25", "hybrid")
    }
    report = cross_validate(
        retriever, settings.passage_words, baselines, questions, groups, drop, l2
    )
    for direction, row in report.items():
        print(f"\n{direction}")
        for name, figures in row.items():
            print(f"  {name:8s} " + "  ".join(f"{m} {v:.3f}" for m, v in figures.items()))
    model = fit(list(groups.values()), drop, l2)
    print("\nweights fitted on all dev questions (standardised features):")
    for feature, weight in zip(FEATURES, model.weights, strict=True):
        print(f"  {feature:14s} {weight:+.3f}")
    if not args.write:
        return 0
    if not beats(report):
        print("not written: a cross-validated direction does not beat BM25 and the hybrid")
        return 1
    write_atomic(OUTPUT, json.dumps(_payload(model, l2, report, drop, path), indent=1) + "\n")
    print(f"wrote {OUTPUT}")
    return 0


def _payload(
    model: FusionModel, l2: float, report: dict, drop: set[str], path: Path
) -> dict[str, Any]:
    return {
        "about": "Fusion weights of the learned retriever; generated by eval/fit_fusion.py.",
        "fitted_on": f"all answerable questions of {path.name}",
        "features": list(model.features),
        "dropped": sorted(drop),
        "mean": [round(float(x), 6) for x in model.mean],
        "scale": [round(float(x), 6) for x in model.scale],
        "weights": [round(float(x), 6) for x in model.weights],
        "candidates": model.candidates,
        "named_candidates": model.named_candidates,
        "l2": l2,
        "cross_validation": report,
    }


if __name__ == "__main__":
    sys.exit(main())
