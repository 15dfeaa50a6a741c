"""Stock Debian Firefox ESR for the browser tests, driven over its built-in Marionette protocol.

Playwright cannot drive an unpatched Firefox and its own build is downloaded
from outside the package registries, so the tests start ``firefox-esr`` from
Debian themselves, in a fresh profile whose prefs keep it from reaching the
network on its own, and talk to it with Mozilla's ``marionette-driver`` client
(no geckodriver). :class:`Firefox` is the handful of page actions the tests use.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import subprocess
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

# marionette-driver's dependencies import telnetlib (mozrunner) and call distro.linux_distribution() (mozinfo),
# both deprecated; the suite turns warnings into errors, and these are not ours to fix.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from marionette_driver.by import By
    from marionette_driver.errors import NoSuchElementException, StaleElementException
    from marionette_driver.keys import Keys
    from marionette_driver.marionette import Marionette

__all__ = ["Firefox", "Keys", "launch"]

TIMEOUT = 30.0  # seconds for any one condition; generous because the suite shares 2 cores with other builds
POLL = 0.05

PREFS: dict[str, bool | int | str] = {
    # Marionette on a port of its choosing (written to MarionetteActivePort): two pytest workers run one each.
    "marionette.port": 0,
    # the headless window counts as focused, so focus and key events reach the page
    "focusmanager.testmode": True,
    # no updates of the browser, its add-ons, search engines or media plugins
    "app.update.disabledForTesting": True,
    "app.update.auto": False,
    "app.update.checkInstallTime": False,
    "extensions.update.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "browser.search.update": False,
    "media.gmp-manager.updateEnabled": False,
    # no telemetry, health report, studies or experiments
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.server": "data:,",
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.policy.dataSubmissionPolicyBypassNotification": True,
    "datareporting.usage.uploadEnabled": False,
    "app.normandy.enabled": False,
    "app.normandy.api_url": "",
    "app.shield.optoutstudies.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    # no first-run, welcome or what's-new pages, no default-browser question, no crash recovery
    "browser.startup.homepage_override.mstone": "ignore",
    "startup.homepage_welcome_url": "about:blank",
    "startup.homepage_welcome_url.additional": "",
    "browser.aboutwelcome.enabled": False,
    "browser.preonboarding.enabled": False,
    "termsofuse.bypassNotification": True,
    "browser.startup.page": 0,
    "browser.shell.checkDefaultBrowser": False,
    "browser.newtabpage.enabled": False,
    "browser.sessionstore.resume_from_crash": False,
    "browser.backup.enabled": False,
    "toolkit.startup.max_resumed_crashes": -1,
    # no safe-browsing lists or download checks
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    # nothing else that reaches out by itself: remote settings, connectivity probes, DNS over HTTPS, push,
    # speculative connections, geolocation and region lookups, accounts, sponsored tiles, translations
    "services.settings.server": "data:,#remote-settings-dummy/v1",
    "security.remote_settings.intermediates.enabled": False,
    "security.remote_settings.crlite_filters.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.trr.mode": 5,
    "dom.push.connection.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0,
    "browser.region.network.url": "",
    "geo.provider.network.url": "",
    "identity.fxaccounts.enabled": False,
    "browser.topsites.contile.enabled": False,
    "browser.discovery.enabled": False,
    "extensions.getAddons.discovery.api_url": "data:, ",
    "browser.translations.enable": False,
    "browser.ml.enable": False,
}

# Uncaught exceptions and unhandled rejections (the equivalent of Playwright's "pageerror") and resources
# that failed to load, as Firefox logs them, from pages whose address starts with the given prefix.
PAGE_ERRORS_JS = """
const [prefix] = arguments;
return Services.console.getMessageArray()
  .filter(m => m instanceof Ci.nsIScriptError && m.sourceName.startsWith(prefix)
               && (!(m.flags & Ci.nsIScriptError.warningFlag) || m.category === "Script Loader"))
  .map(m => `${m.sourceName}:${m.lineNumber}: ${m.errorMessage}`);
"""


class Firefox:
    """One Firefox tab, with the few actions the tests need."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def open(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""
        self.client.navigate(url)

    @property
    def url(self) -> str:
        return str(self.client.get_url())

    def js(self, body: str, *args: object) -> Any:
        """Run ``body`` (a function body that may ``return``) in the page, with ``arguments`` = ``args``."""
        # sandbox=None: in the page's own realm, so the tests see its globals (the search runtime's API)
        return self.client.execute_script(body, script_args=args, sandbox=None)

    def wait(self, expression: str, *args: object) -> Any:
        """Poll until the JavaScript ``expression`` is truthy in the page; its value."""
        return self.until(lambda: self.js(f"return {expression};", *args), expression)

    def until(self, condition: Callable[[], Any], what: str) -> Any:
        """Poll ``condition`` until it returns something truthy; fail with ``what`` after :data:`TIMEOUT`."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            # a navigation can replace the document between two polls
            with contextlib.suppress(NoSuchElementException, StaleElementException):
                value = condition()
                if value:
                    return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {TIMEOUT:.0f}s waiting for {what} on {self.url}")
            time.sleep(POLL)

    def find(self, css: str) -> Any:
        return self.client.find_element(By.CSS_SELECTOR, css)

    def texts(self, css: str) -> list[str]:
        """The rendered text of every element matching ``css``, trimmed."""
        return [str(t).strip() for t in self.js(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText);", css)]

    def type(self, css: str, text: str) -> None:
        """Type ``text`` key by key into the element matching ``css``."""
        self.find(css).send_keys(text)

    def press(self, key: str) -> None:
        """Press and release ``key`` (a character or a :class:`Keys` value) where focus is."""
        self.client.actions.sequence("key", "keyboard").key_down(key).key_up(key).perform()

    def select(self, css: str, value: str) -> None:
        """Choose ``value`` in the <select> matching ``css`` as a reader would, by clicking the option."""
        self.find(f"{css} option[value={json.dumps(value)}]").click()

    def back(self) -> None:
        self.client.go_back()

    def forget_console(self) -> None:
        """Drop every message logged so far, so :meth:`page_errors` reports only what follows."""
        with self.client.using_context("chrome"):
            self.client.execute_script("Services.console.reset();")

    def page_errors(self, prefix: str) -> list[str]:
        """Errors logged since :meth:`forget_console` by pages under ``prefix`` (``file:///…/`` or ``http://…/``)."""
        with self.client.using_context("chrome"):
            return list(self.client.execute_script(PAGE_ERRORS_JS, script_args=(prefix,)))


def write_profile(profile: pathlib.Path) -> None:
    """A new, empty profile folder holding only our prefs."""
    profile.mkdir(parents=True)
    lines = [f"user_pref({json.dumps(name)}, {json.dumps(value)});" for name, value in PREFS.items()]
    (profile / "user.js").write_text("\n".join(lines) + "\n", encoding="utf-8")


def marionette_port(profile: pathlib.Path, process: subprocess.Popen[bytes], log: pathlib.Path) -> int:
    """The port Firefox's Marionette server listens on, once it has written it into the profile."""
    deadline = time.monotonic() + 2 * TIMEOUT
    port_file = profile / "MarionetteActivePort"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Firefox exited with {process.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        text = port_file.read_text().strip() if port_file.exists() else ""
        if text.isdigit():  # the file may be seen half written
            return int(text)
        time.sleep(POLL)
    raise RuntimeError(f"Firefox started no Marionette server in {2 * TIMEOUT:.0f}s; see {log}")


@contextlib.contextmanager
def launch(binary: str, workdir: pathlib.Path) -> Iterator[Firefox]:
    """Headless Firefox ``binary`` in a fresh profile under ``workdir``, for as long as the block runs."""
    profile, log = workdir / "profile", workdir / "firefox.log"
    write_profile(profile)
    # MOZ_DISABLE_NONLOCAL_CONNECTIONS: anything beyond loopback is refused at once instead of waiting on DNS,
    # and it is what makes a release build honour services.settings.server above (it resolved Mozilla's host)
    env = {**os.environ, "MOZ_HEADLESS": "1", "MOZ_CRASHREPORTER_DISABLE": "1", "MOZ_DISABLE_NONLOCAL_CONNECTIONS": "1"}
    # -remote-allow-system-access: page_errors() reads the browser's console service from chrome context
    args = [binary, "--headless", "--marionette", "--remote-allow-system-access", "--no-remote",
            "--profile", str(profile), "about:blank"]
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        client = Marionette(host="127.0.0.1", port=marionette_port(profile, process, log),
                            startup_timeout=int(2 * TIMEOUT))
        client.start_session()
        client.timeout.page_load = 2 * TIMEOUT
        client.timeout.script = TIMEOUT
        try:
            yield Firefox(client)
        finally:
            client.cleanup()
    finally:
        process.terminate()
        try:
            process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
