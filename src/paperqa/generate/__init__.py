"""Answer generation: the LLM backends, the prompt, citation attribution and ``QAEngine``."""

from paperqa.generate.answer import REFUSAL_TEXT, Answer, Citation, QAEngine

__all__ = ["REFUSAL_TEXT", "Answer", "Citation", "QAEngine"]
