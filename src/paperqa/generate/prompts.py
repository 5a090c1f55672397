"""The prompt the chat model sees, as plain module constants: edit the wording here.

The passages are numbered ``[1]``, ``[2]``, ... in retrieval order, each headed by its paper title
and pages. The model is not asked for citation markers: small models do not write them reliably,
so citations are attributed by code afterwards (markers it writes anyway are validated there).
"""

from __future__ import annotations

REFUSAL_TEXT = "The papers in this collection don't answer that."

# What the model is told to say when the passages do not answer. Short and plain on purpose: a
# small model told to copy a long refusal sentence copies it even when a passage has the answer.
# The reply the user sees is REFUSAL_TEXT either way.
MODEL_REFUSAL = "Not found in the papers."

SYSTEM_PROMPT = f"""You answer questions about research papers using only the numbered passages \
the user gives you. Answer in one to three short sentences that state the specific fact asked \
for (a number, name, method or reason), in the words of the passages. Never use outside \
knowledge. If the passages say nothing about the subject of the question, reply: {MODEL_REFUSAL}"""

PASSAGE_TEMPLATE = "[{number}] {title} ({pages}):\n{text}"  # pages: "page 3" or "pages 3-4"

USER_TEMPLATE = """Passages:

{passages}

Question: {question}"""
