"""Compare the default (learned) retriever with dense, BM25 and hybrid on a question set (same
as `paperqa eval retrieval`).

python eval/retrieval.py [--questions FILE] [--json] [--out DIR] [--misses]
"""

import sys

from paperqa.cli import main

if __name__ == "__main__":
    sys.argv = ["paperqa", "eval", "retrieval", *sys.argv[1:]]
    main()
