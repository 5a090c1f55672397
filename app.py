"""Start the paperqa chat app: ``python app.py [--host H] [--port P] [--index-dir DIR]``.

The same as ``paperqa serve``; defaults come from ``Settings`` (http://127.0.0.1:7860).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paperqa.errors import PaperQAError
from paperqa.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The paperqa chat app in the browser.")
    parser.add_argument("--host", help="Address to listen on (default 127.0.0.1).")
    parser.add_argument("--port", type=int, help="Port to listen on (default 7860).")
    parser.add_argument("--index-dir", type=Path, help="Directory holding the search indexes.")
    args = parser.parse_args(argv)
    overrides = {"host": args.host, "port": args.port, "index_dir": args.index_dir}
    from paperqa.app import launch
    from paperqa.cli import check_port

    try:
        settings = Settings.load(**{k: v for k, v in overrides.items() if v is not None})
        check_port(settings.host, settings.port)
        launch(settings)
    except PaperQAError as exc:
        print(f"paperqa: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
