"""paperqa: cited answers from a local LLM over Ilya Sutskever's reading list."""

__version__ = "0.1.0"
