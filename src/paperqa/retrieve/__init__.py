"""Retrieval: dense (FAISS), sparse (BM25), hybrid and learned (two-stage) behind one interface.

``load_retriever(settings)`` is the one entry point; the BM25 path never imports torch.
"""

from __future__ import annotations

import threading
from pathlib import Path

from paperqa.errors import SettingsError
from paperqa.retrieve.base import Retriever
from paperqa.settings import Settings
from paperqa.store import IndexStore

RETRIEVER_NAMES = ("learned", "hybrid", "dense", "bm25")

_cache: dict[tuple, Retriever] = {}
_lock = threading.Lock()


def load_retriever(
    settings: Settings,
    name: str | None = None,
    store: IndexStore | None = None,
    named_first: bool = True,
) -> Retriever:
    """The retriever ``name`` (default: ``settings.retriever``) over the index; cached.

    With ``settings.reranker`` set, the results are reordered by that cross-encoder; with
    ``settings.passage_words`` set, each passage is widened with its neighbours' text; with
    ``named_first`` (what `ask` and `search` use), chunks of the papers' reference lists are
    left out (``paperqa.retrieve.references``) and the papers a query names lead the list
    (``paperqa.retrieve.named``). ``named_first=False`` gives the retriever alone, as the
    evaluation's baselines measure it.
    """
    name = name or settings.retriever
    if name not in RETRIEVER_NAMES:
        raise SettingsError(
            f"unknown retriever {name!r}; choose one of {', '.join(RETRIEVER_NAMES)}"
        )
    store = store or IndexStore.load(settings.index_dir)
    retriever = _cached(settings, name, store)
    if settings.reranker:
        retriever = _reranking(settings, name, store, retriever)
    from paperqa.retrieve.named import NamedPapersFirst
    from paperqa.retrieve.references import WithoutReferenceLists
    from paperqa.retrieve.window import widened

    retriever = widened(retriever, store.chunks, settings.passage_words)
    if not named_first:
        return retriever
    retriever = WithoutReferenceLists(retriever, store.reference_list_ids())
    return NamedPapersFirst(retriever, store.documents, store.chunks)


def _reranking(settings: Settings, name: str, store: IndexStore, base: Retriever) -> Retriever:
    key = (str(store.path), name, "rerank", settings.reranker)
    with _lock:
        if key not in _cache:
            from paperqa.retrieve.rerank import RerankingRetriever

            _cache[key] = RerankingRetriever(base, settings.reranker)
        return _cache[key]


def _forget_other_generations(store: IndexStore) -> None:
    """Drop the retrievers of this index's replaced generations, so that a long-running server
    that picks up rebuilds does not keep every old index in memory."""
    live, index_dir = str(store.path), str(store.path.parent)
    with _lock:
        for key in [k for k in _cache if k[0] != live and str(Path(k[0]).parent) == index_dir]:
            del _cache[key]


def _cached(settings: Settings, name: str, store: IndexStore) -> Retriever:
    key = (
        str(store.path),
        name,
        settings.query_prefix,  # the dense side's query embedder; its model is the index's
        settings.bm25_k1,
        settings.bm25_b,
        settings.bm25_related_weight,
        settings.rrf_k,
        settings.dense_weight,
        settings.bm25_weight,
        settings.fusion_depth,
        settings.fusion,
    )
    with _lock:
        if key in _cache:
            return _cache[key]
    if store.is_current():  # a new generation: the retrievers of the ones it replaced can go
        _forget_other_generations(store)
    retriever = _build(settings, name, store)
    with _lock:
        return _cache.setdefault(key, retriever)


def _build(settings: Settings, name: str, store: IndexStore) -> Retriever:
    if name == "bm25":
        from paperqa.retrieve.sparse import BM25Retriever

        return BM25Retriever(
            store.chunks,
            store.bm25_tokens(),
            k1=settings.bm25_k1,
            b=settings.bm25_b,
            related_weight=settings.bm25_related_weight,
        )
    if name == "dense":
        from paperqa.embedder import get_embedder
        from paperqa.retrieve.dense import DenseIndex, DenseRetriever

        # Queries are embedded by the model that embedded the chunks, whichever the settings
        # name: an index built with EmbeddingGemma is searched with it without being told.
        query_embedder = get_embedder(settings.updated(embedder=store.embedder_name))
        faiss_index = store.read_faiss()  # IndexCorruptError names a damaged file
        index = DenseIndex(int(faiss_index.d), faiss_index)
        return DenseRetriever(store.chunks, index, query_embedder)
    if name == "learned":
        from paperqa.retrieve.learned import LearnedRetriever

        return LearnedRetriever(
            _cached(settings, "dense", store), _cached(settings, "bm25", store), store.documents
        )
    from paperqa.retrieve.hybrid import HybridRetriever

    return HybridRetriever(
        [
            (_cached(settings, "dense", store), settings.dense_weight),
            (_cached(settings, "bm25", store), settings.bm25_weight),
        ],
        fusion=settings.fusion,
        rrf_k=settings.rrf_k,
        depth=settings.fusion_depth,
    )


__all__ = ["RETRIEVER_NAMES", "IndexStore", "Retriever", "load_retriever"]
