"""The papers a question names lead the list, over the real corpus index (BM25: no torch)."""

from __future__ import annotations

import pytest

from paperqa.retrieve import IndexStore, load_retriever

ALEXNET = "imagenet-classification-deep-cnns"
TRANSFORMER = "attention-is-all-you-need"


@pytest.fixture(scope="module")
def bm25(corpus_index):
    store = IndexStore.load(corpus_index.index_dir)
    return (
        load_retriever(corpus_index, "bm25", store),
        load_retriever(corpus_index, "bm25", store, named_first=False),
    )


@pytest.mark.slow
def test_the_one_paper_a_question_names_comes_first(bm25):
    named, plain = bm25
    question = "What weight decay did AlexNet use?"
    assert plain.search(question, 5)[0].doc != ALEXNET  # "weight decay" favours other papers
    passages = named.search(question, 5)
    assert [p.doc for p in passages[:2]] == [ALEXNET, ALEXNET]
    assert len(passages) == 5
    assert [p.rank for p in passages] == [1, 2, 3, 4, 5]  # what `search` prints, in order


@pytest.mark.slow
def test_two_named_papers_both_lead_the_list_in_the_order_the_retriever_ranks_them(bm25):
    named, plain = bm25
    question = "Which activation does AlexNet use, and which does the Transformer feed-forward use?"
    assert ALEXNET not in [p.doc for p in plain.search(question, 5)]
    assert [p.doc for p in named.search(question, 5)[:4]] == [TRANSFORMER, ALEXNET] * 2


@pytest.mark.slow
def test_a_model_named_in_passing_does_not_displace_the_paper_asked_about(bm25):
    named, _ = bm25
    docs = [p.doc for p in named.search("What batch size did GPipe use to train a Transformer?", 5)]
    assert docs[0] == "gpipe" and TRANSFORMER in docs[:4]
    # "its Transformer" is GPipe's own model, not the Transformer paper: nothing of that paper
    # is put first, where its figures were answered for GPipe's model.
    docs = [p.doc for p in named.search("What batch size did GPipe use for its Transformer?", 5)]
    assert docs[:2] == ["gpipe", "gpipe"]


@pytest.mark.slow
def test_a_search_limited_to_some_papers_is_left_as_ranked(bm25):
    named, plain = bm25
    question = "What weight decay did AlexNet use?"
    limited = [p.chunk.id for p in named.search(question, 5, docs=["cs231n-notes"])]
    assert limited == [p.chunk.id for p in plain.search(question, 5, docs=["cs231n-notes"])]


@pytest.mark.slow
def test_a_question_about_a_papers_gist_gets_its_abstract_first_and_only_that_paper(bm25):
    named, plain = bm25
    question = "What is the main idea of the ResNet paper?"
    assert not plain.search(question, 5)[0].matched.is_abstract
    passages = named.search(question, 5)
    assert passages[0].doc == "deep-residual-learning" and passages[0].matched.is_abstract
    assert {p.doc for p in passages} == {"deep-residual-learning"}  # not the follow-up paper
    assert [p.rank for p in passages] == [1, 2, 3, 4, 5]
    first = named.search("Summarize the DPR and RAG papers.", 5)[:2]
    assert [p.doc for p in first] == ["dense-passage-retrieval", "retrieval-augmented-generation"]
    assert all(p.matched.is_abstract for p in first)


@pytest.mark.slow
def test_a_question_about_a_short_form_gets_the_passage_that_spells_it_out_first(bm25):
    named, plain = bm25
    question = "What does NTM stand for?"
    assert "Neural Turing Machines (NTMs)" not in " ".join(
        p.text for p in plain.search(question, 5)
    )
    passages = named.search(question, 5)
    assert passages[0].doc == "neural-turing-machines"
    assert "Neural Turing Machine” (NTM)" in passages[0].matched.text
    assert len(passages) == 5 and [p.rank for p in passages] == [1, 2, 3, 4, 5]
    limited = named.search("What does CTC stand for?", 5, docs=["deep-speech-2"])
    assert {p.doc for p in limited} == {"deep-speech-2"}
    assert "Connectionist Temporal Classification" in limited[0].matched.text


@pytest.mark.slow
def test_a_question_how_long_something_took_is_searched_for_a_span_of_time(bm25):
    named, plain = bm25
    question = "How long did it take to train AlexNet?"
    days = "between five and six days"
    assert days not in " ".join(p.text for p in plain.search(question, 5))
    assert days in " ".join(p.text for p in named.search(question, 5))
