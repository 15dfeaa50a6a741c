"""Live preview: build, serve the site on localhost, rebuild on every change, reload the open page.

Input: a site folder. It builds into a scratch folder (so ``output/`` never
holds a preview built for ``http://127.0.0.1``), serves it with a threaded
``http.server``, watches ``content/``, ``layouts/`` and ``config.yaml`` with
``watchfiles`` and rebuilds. Served HTML pages (never the files on disk) get
a small script that listens to ``/__marginalia/events`` and reloads the page after
a good build, or shows the errors of a failed one over the page while the
last good site keeps being served.
"""

from __future__ import annotations

import functools
import http.server
import json
import pathlib
import shutil
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable

import watchfiles

from .errors import Problem, SiteError, collapse_warnings
from .pipeline import build as build_site

LIVE = "/__marginalia/"
WATCHED = ("content", "layouts")
PLACEHOLDER = b'<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Building</title><body></body></html>'
LIVE_JS = """(function () {
  "use strict";
  // The version comes in a data- attribute: the pages' Content-Security-Policy refuses inline scripts.
  var me = document.currentScript, box = null;
  var live = window.MARGINALIA_LIVE = {version: me ? Number(me.getAttribute("data-version")) : -1};
  // A service worker from an earlier visit would answer with stale pages.
  if (navigator.serviceWorker) navigator.serviceWorker.getRegistrations().then(function (all) {
    all.forEach(function (r) { r.unregister(); });
  });
  function overlay(error) {
    if (!error) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "marginalia-build-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;background:#fff0f0;color:#5c0000;border-top:4px solid #b00020;" +
        "padding:1rem 1.25rem;font:14px/1.5 ui-monospace,monospace;box-shadow:0 -4px 16px rgba(0,0,0,.25)";
      var title = document.createElement("strong");
      title.textContent = "The build failed. This is the last good build; fix the problem and save to reload.";
      box.appendChild(title);
      box.appendChild(document.createElement("pre")).style.cssText = "white-space:pre-wrap;margin:.5rem 0 0";
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = error;
  }
  // The server pushes the build state at once and after every build; EventSource reconnects by itself.
  var events = new EventSource("/__marginalia/events");
  events.onmessage = function (message) {
    var state = JSON.parse(message.data);
    if (state.version !== live.version) { events.close(); location.reload(); return; }
    overlay(state.error);
  };
})();
"""


class Preview:
    """A running preview: the last build's version and error, the server, the watchers."""

    def __init__(self, site: pathlib.Path, *, host: str = "127.0.0.1", port: int = 8000,
                 output: pathlib.Path | None = None, log: Callable[[str], None] | None = None):
        self.site = site.resolve()
        self.scratch = None if output else pathlib.Path(tempfile.mkdtemp(prefix="marginalia-serve-"))
        self.output = output.absolute() if output else pathlib.Path(str(self.scratch), "site")
        self.version, self.error = 0, ""
        self.changed = threading.Condition()
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.building = threading.Lock()
        self.stopping = threading.Event()
        try:
            self.server = http.server.ThreadingHTTPServer((host, port), functools.partial(_Handler, self))
        except OSError as exc:
            self._remove_scratch()
            raise SiteError([Problem("--port", 0, 0, f"cannot serve on {host}:{port}: {exc.strerror}",
                                     "choose another port with --port N")]) from exc
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}/"

    def start(self) -> str:
        """Build once, then serve and watch in background threads; return the URL."""
        self.rebuild()
        threading.Thread(target=self.server.serve_forever, name="marginalia-http", daemon=True).start()
        for paths, recursive in ([self.site / d for d in WATCHED], True), ([self.site], False):
            watched = [p for p in paths if p.is_dir()]
            if watched:
                threading.Thread(target=self._watch, args=(watched, recursive), daemon=True).start()
        return self.url

    def rebuild(self) -> bool:
        """Build into the served folder; on failure keep the last good site and remember why."""
        with self.building:
            started = time.perf_counter()
            try:
                report = build_site(self.site, output=self.output, base_url=self.url)
            except SiteError as exc:
                return self._failed("\n".join(p.format() for p in exc.problems))
            except Exception as exc:  # a bug must not end the preview; show it like a build error
                return self._failed("".join(traceback.format_exception(exc)))
            for line in collapse_warnings(report.warnings):
                self.log(line)
            self._publish(self.version + 1, "")
            self.log(f"Built {report.articles} articles in {time.perf_counter() - started:.2f}s; serving {self.url}")
            return True

    def state(self) -> dict[str, object]:
        """What the page needs to know: the build's number and its error, if it failed."""
        return {"version": self.version, "error": self.error}

    def _publish(self, version: int, error: str) -> None:
        with self.changed:
            self.version, self.error = version, error
            self.changed.notify_all()

    def wait_for_change(self, seen: dict[str, object], timeout: float) -> None:
        """Block until the state differs from ``seen``, the preview stops, or ``timeout`` passes."""
        with self.changed:
            self.changed.wait_for(lambda: self.state() != seen or self.stopping.is_set(), timeout)

    def _failed(self, text: str) -> bool:
        self._publish(self.version, text)
        self.log(text + "\nBuild failed; still serving the last good build.")
        return False

    def _watch(self, paths: list[pathlib.Path], recursive: bool) -> None:
        """Rebuild after every batch of changes (only config.yaml counts at the site's top level)."""
        def wanted(change: watchfiles.Change, path: str) -> bool:
            return (recursive or pathlib.Path(path).name == "config.yaml") and watchfiles.DefaultFilter()(change, path)

        for changes in watchfiles.watch(*paths, watch_filter=wanted, debounce=300, step=30, recursive=recursive,
                                        stop_event=self.stopping, raise_interrupt=False, rust_timeout=500):
            names = sorted({_relative(pathlib.Path(p), self.site) for _, p in changes})
            self.log(f"Changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
            self.rebuild()

    def close(self) -> None:
        """Stop serving and watching; remove the scratch folder."""
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        self.server.shutdown()
        self.server.server_close()
        with self.building:
            self._remove_scratch()

    def _remove_scratch(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def _relative(path: pathlib.Path, site: pathlib.Path) -> str:
    try:
        return path.relative_to(site).as_posix()
    except ValueError:
        return str(path)


def inject(html: bytes, version: int) -> bytes:
    """``html`` with the live-reload script before ``</body>`` (served responses only)."""
    tag = f'<script src="{LIVE}live.js" data-version="{version}"></script>'.encode()
    end = html.lower().rfind(b"</body>")
    return html[:end] + tag + html[end:] if end >= 0 else html + tag


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site, HTML with the live script, and the ``/__marginalia/`` endpoints."""

    def __init__(self, preview: Preview, *args: object, **kwargs: object):
        self.preview = preview
        super().__init__(*args, directory=str(preview.output), **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if path == LIVE + "version":
            return self._send(200, json.dumps(self.preview.state()).encode(), "application/json")
        if path == LIVE + "events":
            return self._events()
        if path == LIVE + "live.js":
            return self._send(200, LIVE_JS.encode(), "text/javascript; charset=utf-8")
        file = pathlib.Path(self.translate_path(path))
        if path.endswith("/") and file.is_dir():
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            return self._send(200, inject(file.read_bytes(), self.preview.version), "text/html; charset=utf-8")
        return super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing page shows the site's 404.html (or a placeholder before the first good build)."""
        if code != 404 or self.command != "GET":
            return super().send_error(code, message, explain)
        page = self.preview.output / "404.html"
        html = page.read_bytes() if page.is_file() else PLACEHOLDER
        self._send(404, inject(html, self.preview.version), "text/html; charset=utf-8")

    def _events(self) -> None:
        """Server-sent events: the build state now and after every build; a comment keeps it open."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        sent: dict[str, object] | None = None
        try:
            while not self.preview.stopping.is_set():
                state = self.preview.state()
                self.wfile.write(f"data: {json.dumps(state)}\n\n".encode() if state != sent else b": ping\n\n")
                self.wfile.flush()
                sent = state
                self.preview.wait_for_change(sent, timeout=15)
        except OSError:
            pass  # the page was closed or reloaded

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # the terminal shows builds and errors, not every request


def serve(site: pathlib.Path, *, host: str, port: int, output: pathlib.Path | None = None) -> int:
    """Run a preview until Ctrl+C."""
    preview = Preview(site, host=host, port=port, output=output)
    try:
        url = preview.start()
        print(f"Serving {url} (Ctrl+C to stop). Watching content/, layouts/ and config.yaml.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
    finally:
        preview.close()
    return 0
