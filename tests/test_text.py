from paperqa.text import tokenize


def test_hyphenated_words_keep_whole_and_parts():
    tokens = tokenize("pre-activation units")
    assert {"pre-activation", "pre", "activation", "unit"} <= set(tokens)


def test_decimals_and_percentages_survive():
    assert "15.3" in tokenize("a top-5 error of 15.3% on the test set")
    assert "0.1" in tokenize("label smoothing of value 0.1.")


def test_greek_letters_and_math_symbols():
    tokens = tokenize("with αN ∼ 0.076 and ϵls = 0.1")
    assert "αn" in tokens
    assert "0.076" in tokens
    assert "∼" not in tokens


def test_stopwords_dropped_and_plurals_folded():
    tokens = tokenize("What are the layers of the encoder?")
    assert tokens == ["layer", "encoder"]


def test_short_words_and_ss_endings_not_stemmed():
    assert tokenize("loss bus gas") == ["loss", "bus", "gas"]
