"""The exceptions paperqa raises for problems a user must act on.

Each carries a one-line message meant for the terminal; the CLI prints it and exits non-zero.
"""


class PaperQAError(Exception):
    """Base class: a problem the user can fix, with a one-line explanation."""


class ParseError(PaperQAError):
    """A file could not be turned into text (corrupt, encrypted, empty, scanned, ...)."""


class IndexMissingError(PaperQAError):
    """No index exists where one was expected."""


class IndexMismatchError(PaperQAError):
    """The index on disk was built with another embedder or schema version."""


class ModelNotAvailableError(PaperQAError):
    """A model is neither installed locally nor reachable."""


class QuestionError(PaperQAError):
    """The question is empty or unreasonably long."""


class QuestionFileError(PaperQAError):
    """A question set (JSONL) is malformed, or holds no questions to score."""


class FetchError(PaperQAError):
    """The reading list could not be downloaded (offline, unknown id, ...)."""


class SettingsError(PaperQAError):
    """A setting (CLI flag, environment variable or API argument) has a value out of range."""


class IndexCorruptError(PaperQAError):
    """A file of the index is missing, truncated or unreadable: the index must be rebuilt."""
