"""Start the paperqa chat app: ``python app.py [OPTIONS]``, the same as ``paperqa serve``.

Every option of ``paperqa serve --help`` works here (``--host``, ``--port``, ``--index-dir``...).
"""

import sys

from paperqa.cli import main

if __name__ == "__main__":
    sys.argv = ["paperqa", "serve", *sys.argv[1:]]
    main()
