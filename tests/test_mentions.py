"""Papers named in a text: the reading list's by title, nickname or author (``mentions``),
the indexed ones by their aliases (``PaperNames``)."""

from __future__ import annotations

from paperqa.mentions import (
    PaperNames,
    mentions,
    names_the_text,
    shared_author_names,
    text_descriptions,
    without_paper_names,
    without_the_text_named,
)


def _papers(text: str) -> list[str]:
    return [m.paper for m in mentions(text)]


def test_nicknames_titles_and_authors_name_papers_in_order() -> None:
    assert _papers("Did AlexNet use more dropout than the Transformer?") == [
        "imagenet-classification-deep-cnns",
        "attention-is-all-you-need",
    ]
    assert _papers("What does Kaplan et al. report, versus Deep Speech 2?") == [
        "scaling-laws-neural-lms",
        "deep-speech-2",
    ]
    assert _papers("In Neural Message Passing for Quantum Chemistry, what is QM9?") == [
        "neural-message-passing-quantum-chemistry"
    ]


def test_a_name_inside_a_longer_title_names_only_that_paper() -> None:
    assert _papers("What does Identity Mappings in Deep Residual Networks change?") == [
        "identity-mappings-resnets"
    ]


def test_ordinary_words_name_nothing() -> None:
    assert _papers("How does it compare with VGG? The transformer of a power grid.") == []
    assert _papers("What did He and Vinyals find?") == []  # too short or ambiguous


def test_a_name_two_papers_share_names_neither() -> None:
    # Karpathy wrote two reading-list texts; ImageNet is a dataset many papers use.
    assert _papers("Which ImageNet results did Karpathy discuss?") == []


def test_a_shared_author_name_names_the_paper_the_caller_chose_for_it() -> None:
    text = "What did Legg propose, and what did Aaronson call complextropy?"
    assert shared_author_names(text) == {
        "Aaronson": frozenset({"coffee-automaton", "first-law-of-complexodynamics"})
    }
    assert _papers(text) == ["machine-super-intelligence"]
    chosen = mentions(text, authors={"Aaronson": "first-law-of-complexodynamics"})
    assert [(m.paper, m.name, m.by_author) for m in chosen] == [
        ("machine-super-intelligence", "Legg", True),
        ("first-law-of-complexodynamics", "Aaronson", True),
    ]


def test_an_author_name_is_marked_as_such() -> None:
    by_author = [(m.paper, m.by_author) for m in mentions("As Kaplan et al. found for GPipe")]
    assert by_author == [("scaling-laws-neural-lms", True), ("gpipe", False)]


def test_a_post_is_named_by_the_handle_its_site_is_named_by() -> None:
    # colah.github.io; "cs231n.github.io" and "karpathy.github.io" repeat a title or an author.
    assert _papers("What did Colah write about peepholes?") == ["understanding-lstm-networks"]
    assert _papers("per colah's post, what is a GRU?") == ["understanding-lstm-networks"]
    assert _papers("What do the CS231n notes say?") == ["cs231n-notes"]


def test_a_name_of_several_words_names_its_paper_in_any_case() -> None:
    assert _papers("Which agent does the coffee automaton paper train?") == ["coffee-automaton"]
    assert _papers("how does the neural turing machine address memory?") == [
        "neural-turing-machines"
    ]
    # A plain word, and a person's name, only as written: "transformer" is a common word.
    assert _papers("the transformer of a power grid, as jared kaplan said") == []


def test_a_made_up_name_names_its_paper_in_any_case() -> None:
    assert _papers("what dataset did alexnet train on?") == ["imagenet-classification-deep-cnns"]
    assert _papers("how does the ntm's head read, and how does dpr score?") == [
        "neural-turing-machines",
        "dense-passage-retrieval",
    ]
    assert _papers("gpipe vs resnet") == ["gpipe", "deep-residual-learning"]


def test_a_made_up_name_split_where_its_case_changes_still_names_its_paper() -> None:
    assert _papers("What hardware did Alex net use?") == ["imagenet-classification-deep-cnns"]
    assert _papers("how deep is res-net?") == ["deep-residual-learning"]
    assert _papers("Which net did Alex build?") == []  # split only where the name's case changes
    assert _papers("the res of the net") == []


def test_a_paper_is_named_by_a_run_of_its_title_words_and_what_it_is() -> None:
    assert _papers("What batch size does the dilated convolutions paper use?") == [
        "dilated-convolutions"
    ]
    assert _papers("In the Identity Mappings paper, how deep is the deepest ResNet?") == [
        "identity-mappings-resnets",
        "deep-residual-learning",
    ]
    assert _papers("What does the multi-token prediction paper's 7B model reach?") == [
        "multi-token-prediction"
    ]
    # A word between may place the text among its authors' others.
    assert _papers("What does the identity-mappings follow-up paper change?") == [
        "identity-mappings-resnets"
    ]
    assert _papers("What does the dilated convolutions segmentation paper use?") == []
    # Or by such a run, or the initials of one, and what the title says the text is.
    assert _papers("Who wrote the minimum description length tutorial?") == ["mdl-tutorial"]
    assert _papers("Who are the authors of the MDL tutorial?") == ["mdl-tutorial"]
    assert _papers("How does the MDL principle pick a model?") == []  # the idea, not the text
    assert _papers("What does the MDL paper say?") == []  # another paper's title is about MDL
    # Without "paper", such words are the subject, not a paper; "language models" is in two
    # titles and names neither.
    assert _papers("Why do dilated convolutions keep resolution?") == []
    assert _papers("What does the language models paper say about depth?") == []


INDEXED = {
    "ntm": {
        "title": "Neural Turing Machines",
        "authors": ["Alex Graves", "Greg Wayne"],
        "aliases": ["Neural Turing Machines", "Alex Graves", "Graves", "NTM", "RNN"],
    },
    "scaling": {
        "title": "Scaling Laws for Neural Language Models",
        "authors": ["Jared Kaplan"],
        "aliases": ["Scaling Laws for Neural Language Models", "Jared Kaplan", "Kaplan"],
    },
    "pointer": {"title": "Pointer Networks", "authors": ["Oriol Vinyals"], "aliases": ["RNN"]},
    # An index written before aliases existed: names from the title and authors.
    "old": {"title": "Deep Speech 2: End-to-End Speech Recognition", "authors": ["Dario Amodei"]},
}


def test_a_question_names_a_paper_by_author_acronym_or_title() -> None:
    names = PaperNames(INDEXED)
    assert names.named("What loss exponent do Kaplan et al. report?") == {"scaling": 1.0}
    assert names.named("How does the NTM's head address memory?") == {"ntm": 1.0}
    assert names.named("what do neural turing machines learn to copy?") == {"ntm": 1.0}
    assert names.named("Which languages does Deep Speech 2 cover?") == {"old": 1.0}
    assert names.named("How are scores normalised?") == {}


def test_one_plain_word_names_only_as_written_a_made_up_one_in_any_case() -> None:
    names = PaperNames(INDEXED)
    assert names.named("why are graves dug?") == {}
    assert names.named("Graves's addressing") == {"ntm": 1.0}
    assert names.named("how does the ntm's head address memory?") == {"ntm": 1.0}


def test_a_name_several_papers_share_counts_for_less() -> None:
    assert PaperNames(INDEXED).named("Why does an RNN forget?") == {"ntm": 0.5, "pointer": 0.5}


def test_naming_words_are_reported_so_features_can_leave_them_out() -> None:
    named, naming = PaperNames(INDEXED).match("In Kaplan et al., how does loss scale?")
    assert named == {"scaling": 1.0}
    assert naming == {"kaplan"}


def test_a_reading_list_paper_is_also_named_by_the_model_the_list_knows_it_by() -> None:
    # The index's aliases come from the paper's title, authors and text: the AlexNet paper never
    # calls its network "AlexNet", the reading list does.
    documents = {
        "imagenet-classification-deep-cnns": {
            "title": "ImageNet Classification with Deep Convolutional Neural Networks",
            "authors": ["Alex Krizhevsky"],
            "aliases": ["ImageNet Classification with Deep Convolutional Neural Networks"],
        },
        "mine": {"title": "My Notes", "authors": [], "aliases": ["My Notes"]},
    }
    names = PaperNames(documents)
    assert names.named("How many GPUs was AlexNet trained on?") == {
        "imagenet-classification-deep-cnns": 1.0
    }
    assert names.named("how was alexnet trained?") == {"imagenet-classification-deep-cnns": 1.0}


def test_the_two_rules_differ_where_the_module_says_so() -> None:
    # Two papers by one author, and a one-word name followed by a hyphen: ``mentions`` decides
    # (a shared name names neither; "RAG-Token" names RAG), ``PaperNames`` grades (1/2 each;
    # the word is "RAG-Token").
    documents = {
        "unreasonable-effectiveness-of-rnns": {"title": "T1", "aliases": ["Karpathy"]},
        "cs231n-notes": {"title": "T2", "aliases": ["Karpathy"]},
        "retrieval-augmented-generation": {"title": "T3", "aliases": []},
    }
    names = PaperNames(documents)
    assert _papers("What did Karpathy write about RNNs?") == []
    assert names.named("What did Karpathy write about RNNs?") == {
        "unreasonable-effectiveness-of-rnns": 0.5,
        "cs231n-notes": 0.5,
    }
    assert _papers("How does RAG-Token marginalize?") == ["retrieval-augmented-generation"]
    assert names.named("How does RAG-Token marginalize?") == {}
    assert names.named("How does RAG marginalize?") == {"retrieval-augmented-generation": 1.0}


def test_the_names_a_paper_is_known_by_name_it() -> None:
    # The reading list's ``known_as``: the model a paper introduces, its short title.
    assert [m.paper for m in mentions("How wide is RNNsearch's decoder?")] == [
        "nmt-jointly-learning-to-align-and-translate"
    ]
    named = mentions("What does the relational RNN paper add to an LSTM?")
    assert [m.paper for m in named] == ["relational-rnns"]
    # A title's capitalised opening words, as the title writes them; in lower case they are
    # the method, not the paper.
    named = mentions("How many passages does the corpus of Dense Passage Retrieval hold?")
    assert [m.paper for m in named] == ["dense-passage-retrieval"]
    assert mentions("How fast is dense passage retrieval on a CPU?") == []


def test_a_model_another_paper_owns_is_the_architecture_not_its_paper() -> None:
    def papers(text: str) -> list[str]:
        return [m.paper for m in mentions(text, every=True)]

    # GPipe trains a Transformer of its own: the question is about GPipe alone.
    assert papers("How long did GPipe's 128-layer, multilingual Transformer train?") == ["gpipe"]
    assert papers("What dropout did GPipe use for its multilingual Transformer?") == ["gpipe"]
    # Set side by side, or after a word that is no modifier, the model names its paper.
    both = ["gpipe", "attention-is-all-you-need"]
    assert papers("Is GPipe's model deeper than the Transformer?") == both
    assert papers("How does GPipe's Transformer compare with the original Transformer?") == both
    # The paper that trains it, or in which it is named: that paper alone.
    assert papers("How far did GPipe scale a 128-layer Transformer?") == ["gpipe"]
    # Made with another paper's system, named by its own name after the verb: that paper alone.
    assert papers("How big was the multilingual Transformer trained with GPipe?") == ["gpipe"]
    assert papers("Was the Transformer trained faster than GPipe?") == [
        "attention-is-all-you-need",
        "gpipe",
    ]
    assert papers("How deep was the ResNet in the identity mappings paper?") == [
        "identity-mappings-resnets"
    ]
    assert papers("What error did the ResNet-1001 reach in Identity Mappings?") == [
        "identity-mappings-resnets"
    ]
    assert papers("Did AlexNet use a larger batch than the Transformer?") == [
        "imagenet-classification-deep-cnns",
        "attention-is-all-you-need",
    ]
    # A paper named only inside another paper's title is no mention, its later name is.
    inside = "What did 'Identity Mappings in Deep Residual Networks' add to residual nets?"
    assert [m.paper for m in mentions(inside)] == [
        "identity-mappings-resnets",
        "deep-residual-learning",
    ]
    # Each paper once: the first time it is named as a paper.
    once = mentions("How does GPipe’s Transformer compare with the original Transformer?")
    assert [(m.paper, m.start) for m in once] == [("gpipe", 9), ("attention-is-all-you-need", 55)]


def test_an_authors_et_al_is_no_word_a_passage_must_hold() -> None:
    # "et" and "al" are in no passage: left in, they pulled a right sentence under the threshold.
    sentence = "According to Kaplan et al., most extra compute goes to wider lattices."
    assert (
        without_paper_names(sentence) == "According to , most extra compute goes to wider lattices."
    )
    # nor after a surname two papers share, which names neither paper
    assert without_paper_names("As Santoro et al. show, it holds.") == "As Santoro show, it holds."


def test_a_name_followed_by_what_the_text_is_names_the_paper_as_a_text() -> None:
    def as_text(question: str) -> list[tuple[str, bool]]:
        return [(m.name, names_the_text(question, m)) for m in mentions(question, every=True)]

    assert as_text("Which datasets does the DPR paper use?") == [("DPR", True)]
    assert as_text("What does the DPR's paper say?") == [("DPR", True)]
    assert as_text("What error did AlexNet reach?") == [("AlexNet", False)]
    assert as_text("What did Zaremba et al. regularize?") == [("Zaremba", True)]


def test_the_words_describing_a_named_paper_are_where_and_when_it_appeared() -> None:
    assert text_descriptions("In Vaswani et al.'s NIPS'17 paper, how many heads?") == "NIPS'17"
    assert text_descriptions("In the NIPS 2012 AlexNet paper, what dropout?") == "NIPS 2012"
    # and who made it
    assert text_descriptions("What did GlorpMind's 2018 RMC paper find?") == "GlorpMind 2018"
    # after an "et al." earlier in the text as well
    question = "As Kaplan et al. say, what did Vaswani et al.'s NIPS'17 paper use?"
    assert text_descriptions(question) == "NIPS'17"
    # Not across linking words ("the network in the MDL tutorial"), nor beside no named paper.
    assert text_descriptions("How many layers has the network in the MDL tutorial?") == ""
    assert text_descriptions("What does the GLORPCONF Blorp paper report?") == ""
    # ... unless asked for every description: what the question calls the paper
    assert text_descriptions("What does the GLORPCONF Blorp paper report?", every=True) == (
        "GLORPCONF Blorp"
    )


def test_a_question_without_the_text_named_asks_what_the_passages_say() -> None:
    # A lead-in naming the paper goes, with its authors, venue and title.
    assert without_the_text_named("In Zaremba et al.'s 2014 paper, what is glorp?") == (
        "What is glorp?"
    )
    assert without_the_text_named(
        "In Bahdanau, Cho and Bengio's ICLR 2015 translation paper, roughly how big is blorp?"
    ) == ("Roughly how big is blorp?")
    assert without_the_text_named("According to the DPR paper, why glorp?") == "Why glorp?"
    # A work described and cited by its year, as a reference list would.
    assert without_the_text_named(
        "For the two-tower glorp retriever from Blorp Labs (2020), how long did indexing take?"
    ) == ("How long did indexing take?")
    # A name inside the question becomes what the text is.
    assert without_the_text_named("In Zaremba et al.'s Table 9 (Glorp), what is blorp?") == (
        "In the paper's Table 9 (Glorp), what is blorp?"
    )
    assert without_the_text_named(
        "What glorp did Yu & Koltun's dilated convolutions paper use?"
    ) == ("What glorp did the paper use?")
    assert without_the_text_named("Why do Zaremba, Sutskever and Vinyals glorp?") == (
        "Why do the paper glorp?"
    )
    assert without_the_text_named("How do Legg's thesis and the DPR paper's table glorp?") == (
        "How do the thesis and the paper's table glorp?"
    )
    # A model's name, or a lead-in that names no paper, stays.
    for question in ("What top-5 error did AlexNet reach?", "In Table 9, what is glorp?"):
        assert without_the_text_named(question) == question
