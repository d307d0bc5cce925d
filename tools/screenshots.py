"""`make screenshots`: full-page PNGs of every main page of the seeded demo, for each role,
in English and Arabic, on a desktop (1280 px) and a phone (390 x 844), written to
var/screenshots/<language>/<role>/<viewport>-<page>.png.

The demo is seeded into a temporary directory (SQLite database, cache and uploads; the
developer's var/ database is not touched), served by `manage.py runserver` on a free local
port, and photographed by Playwright driving the system Chromium (/usr/bin/chromium)."""

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local address
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The demo server did not answer at {url}")


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    temp = Path(tempfile.mkdtemp(prefix="er-screenshots-"))
    env = {
        **os.environ,
        "DEBUG": "true",
        "SECRET_KEY": "screenshots-only-not-secret",
        "VAR_DIR": str(temp),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "ethicsreview.settings",
        # The ORM is used between Playwright calls (whose event loop runs in this thread).
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())

    from tests.browser import tour

    pages = {role: tour.pages_for(role) for role in tour.ROLES}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    written = 0
    try:
        wait_for(f"{base}/healthz")
        from playwright.sync_api import sync_playwright

        from tests.browser.conftest import CHROMIUM_ARGS

        shutil.rmtree(OUT, ignore_errors=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for language in tour.LANGUAGES:
                tour.set_language(language)
                for viewport_name, viewport in (("desktop", tour.DESKTOP), ("phone", tour.PHONE)):
                    context = browser.new_context(viewport=viewport, locale=language)
                    page = context.new_page()
                    page.goto(f"{base}/accounts/login/")
                    if language == "ar":
                        page.locator("[data-testid=language-switch] button[value=ar]").click()
                    written += shot(page, "anonymous", language, viewport_name, "sign-in")
                    context.close()
                    for role, role_pages in pages.items():
                        context = browser.new_context(viewport=viewport, locale=language)
                        page = context.new_page()
                        tour.sign_in(page, base, role)
                        for name, path in role_pages:
                            page.goto(base + path)
                            written += shot(page, role, language, viewport_name, name)
                        context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(temp, ignore_errors=True)
    print(f"{written} screenshots in {OUT.relative_to(ROOT)}/")
    return 0


def shot(page, role: str, language: str, viewport: str, name: str) -> int:
    target = OUT / language / role / f"{viewport}-{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(target), full_page=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
