"""paperqa: cited answers from a local LLM over Ilya Sutskever's reading list."""

import os

# torch and faiss each bring an OpenMP runtime; with the default (spinning) wait policy the
# threads of one starve the other after every call, and a 12 ms dense query takes 500 ms.
# Must be set before either library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
