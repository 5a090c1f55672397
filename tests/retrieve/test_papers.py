from paperqa.retrieve.papers import PaperNames

DOCUMENTS = {
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


def test_a_question_names_a_paper_by_author_acronym_or_title():
    names = PaperNames(DOCUMENTS)
    assert names.named("What loss exponent do Kaplan et al. report?") == {"scaling": 1.0}
    assert names.named("How does the NTM's head address memory?") == {"ntm": 1.0}
    assert names.named("what do neural turing machines learn to copy?") == {"ntm": 1.0}
    assert names.named("Which languages does Deep Speech 2 cover?") == {"old": 1.0}
    assert names.named("How are scores normalised?") == {}


def test_one_word_names_match_only_as_written():
    names = PaperNames(DOCUMENTS)
    assert names.named("why are graves dug?") == {}
    assert names.named("Graves's addressing") == {"ntm": 1.0}


def test_a_name_several_papers_share_counts_for_less():
    assert PaperNames(DOCUMENTS).named("Why does an RNN forget?") == {"ntm": 0.5, "pointer": 0.5}


def test_naming_words_are_reported_so_features_can_leave_them_out():
    named, naming = PaperNames(DOCUMENTS).match("In Kaplan et al., how does loss scale?")
    assert named == {"scaling": 1.0}
    assert naming == {"kaplan"}


def test_title_overlap_weights_rare_title_words():
    overlap = PaperNames(DOCUMENTS).title_overlap("scaling of neural models")
    assert overlap["scaling"] > overlap.get("ntm", 0.0)
    assert 0 < overlap["scaling"] < 1


def test_a_reading_list_paper_is_also_named_by_the_model_the_list_knows_it_by():
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
    assert names.named("how was alexnet trained?") == {}  # one-word names match as written
