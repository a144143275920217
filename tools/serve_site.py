"""Serve the built book on this machine, the way a static host would.

Usage: python tools/serve_site.py [SITE] [--port PORT]
SITE defaults to _build/html; PORT defaults to 8000 (0 picks a free port).
Only 127.0.0.1 is bound: the site is for your own browser.

The browser tests (tests/browser) start the same server in a thread with
``serve(site)``, on an ephemeral port.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static-file handler that does not log every request to stderr."""

    # MathJax's fonts and modules must come with the right types, whatever
    # the machine's mime.types says.
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
    }

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serve(site: Path | str, port: int = 0) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 in a background thread; yield its base URL (ends with /)."""
    site = Path(site)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site}/index.html not found: build the book first (make book)")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="serve_site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="_build/html")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        with serve(args.site, args.port) as url:
            print(f"serving {args.site} at {url} (Ctrl-C stops)")
            threading.Event().wait()
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
