from typing import Any

import pytest

from paperqa.errors import PaperQAError
from paperqa.retrieve.filters import resolve_papers
from paperqa.store import IndexStore


def _store() -> IndexStore:
    documents = {
        "pointer-networks": {"title": "Pointer Networks", "aliases": ["Vinyals", "Ptr-Net"]},
        "neural-turing-machines": {"title": "Neural Turing Machines", "aliases": ["Graves"]},
        "relational-rnns": {"title": "Relational recurrent neural networks"},
        "imagenet-classification-deep-cnns": {"title": "ImageNet Classification"},
        "order-matters-seq2seq-for-sets": {"title": "Order Matters", "aliases": ["Vinyals"]},
    }
    return IndexStore(path=None, meta={"documents": documents}, chunks=[])


def test_no_filter_means_everything():
    assert resolve_papers(None, _store()) is None
    assert resolve_papers([], _store()) is None


def test_ids_and_title_words():
    store = _store()
    assert resolve_papers(["pointer-networks"], store) == ["pointer-networks"]
    assert resolve_papers(["turing"], store) == ["neural-turing-machines"]
    assert resolve_papers(["neural networks"], store) == ["relational-rnns"]
    assert resolve_papers(["Pointer", "relational"], store) == [
        "pointer-networks",
        "relational-rnns",
    ]


def test_unknown_paper_is_an_error():
    with pytest.raises(PaperQAError, match="no indexed paper matches 'yolo'"):
        resolve_papers(["yolo"], _store())


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_entry_is_an_error_not_every_paper(blank):
    # an API or MCP client's ["", ...]: the CLI's --papers drops blanks before they get here
    with pytest.raises(PaperQAError, match="names no paper"):
        resolve_papers([blank, "turing"], _store())


def test_a_paper_is_also_named_by_an_author_or_the_name_of_its_model():
    store = _store()
    assert resolve_papers(["graves"], store) == ["neural-turing-machines"]
    assert resolve_papers(["Ptr-Net"], store) == ["pointer-networks"]
    assert resolve_papers(["AlexNet"], store) == ["imagenet-classification-deep-cnns"]  # known_as
    assert resolve_papers(["Vinyals"], store) == [
        "order-matters-seq2seq-for-sets",
        "pointer-networks",
    ]


def test_the_papers_names_are_gathered_only_for_an_entry_no_id_or_title_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from paperqa.retrieve import filters

    asked: list[str] = []

    def index_names(doc_id: str, meta: dict[str, Any]) -> list[str]:
        asked.append(doc_id)
        return list(meta.get("aliases", []))

    monkeypatch.setattr(filters, "index_names", index_names)
    store = _store()
    assert resolve_papers(["pointer-networks", "turing"], store) == [
        "neural-turing-machines",
        "pointer-networks",
    ]
    assert asked == []
    assert resolve_papers(["Graves", "Ptr-Net"], store) == [
        "neural-turing-machines",
        "pointer-networks",
    ]
    assert sorted(asked) == sorted(store.documents)  # once per paper, for both entries
