"""Answer generation: ``QAEngine`` and what it uses.

The LLM backends (``llm``, with ``gguf`` and ``prefix_state``), the evidence and prompt
(``evidence``, ``prompts``), questions rewritten or split (``rewrite``, ``decompose``),
citations checked (``citations``) and the answer evaluation (``evaluate``).
"""

from paperqa.generate.answer import REFUSAL_TEXT, Answer, Citation, QAEngine

__all__ = ["REFUSAL_TEXT", "Answer", "Citation", "QAEngine"]
