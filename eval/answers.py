"""Answer a question set and report the answer metrics (same as `paperqa eval answers`).

python eval/answers.py [--questions FILE] [--limit N] [--json] [--out DIR]
"""

import sys

from paperqa.cli import main

if __name__ == "__main__":
    sys.argv = ["paperqa", "eval", "answers", *sys.argv[1:]]
    main()
