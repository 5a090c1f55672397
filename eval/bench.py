"""Measure the speed of every stage (same as `paperqa bench`).

python eval/bench.py [--json] [--out DIR] [--source DIR]
"""

import sys

from paperqa.cli import main

if __name__ == "__main__":
    sys.argv = ["paperqa", "bench", *sys.argv[1:]]
    main()
