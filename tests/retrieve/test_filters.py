import pytest

from paperqa.errors import PaperQAError
from paperqa.retrieve.filters import resolve_papers
from paperqa.store import IndexStore


def _store() -> IndexStore:
    documents = {
        "pointer-networks": {"title": "Pointer Networks"},
        "neural-turing-machines": {"title": "Neural Turing Machines"},
        "relational-rnns": {"title": "Relational recurrent neural networks"},
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
