"""The load generator behind ``manage.py loadtest``: virtual users that sign in through the
real login page and send mixed traffic, and the statistics of a run."""

import http.client
import ipaddress
import math
import random
import re
import secrets
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

DEMO_ACCOUNTS = {
    "marketer": [
        ("marketer@example.com", "Marketer-Demo-2026"),
        ("marketer2@example.com", "Marketer2-Demo-2026"),
    ],
    "reviewer": [
        ("chair@example.com", "Chair-Demo-2026"),
        ("reviewer@example.com", "Reviewer-Demo-2026"),
    ],
    "manager": [("manager@example.com", "Manager-Demo-2026")],
}
ROLE_CYCLE = ("marketer", "reviewer", "manager")
# What each role does, with relative weights.
MIX = {
    "marketer": {
        "my_campaigns": 2,
        "campaign_page": 3,
        "campaign_list": 1,
        "answers_save": 3,
        "feedback_add": 1,
    },
    "reviewer": {"review_queue": 3, "campaign_page": 4, "campaign_list": 1},
    "manager": {
        "dashboard": 2,
        "dashboard_filtered": 2,
        "campaign_list": 2,
        "campaign_list_filtered": 1,
        "export_csv": 1,
    },
}
CAMPAIGN_LINK = re.compile(r'href="/campaigns/(\d+)/"')
STEP_LINK = re.compile(r'href="(/campaigns/\d+/assessment/[\w-]+/)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STEP_ERRORS = 'data-testid="step-errors"'


@dataclass
class Form:
    fields: list[tuple[str, str]] = field(default_factory=list)
    textareas: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """The fields of each POST form on a page, as a browser would submit them (text inputs,
    checked boxes and radios, textareas, selected options), and every select's option values
    on the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.selects: dict[str, list[str]] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._select_submitted = False
        self._chosen: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        submitted = self._in_form and "disabled" not in a
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = True
            self.forms.append(Form())
        elif tag == "input" and name and submitted:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[-1].fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self.forms[-1].fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name and submitted:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._select_submitted, self._chosen = name, submitted, None
            self.selects.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self.selects[self._select].append(value)
            if self._chosen is None or "selected" in a:
                self._chosen = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.forms[-1].fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self.forms[-1].textareas.append(self._textarea)
            self._textarea = None
        elif tag == "select" and self._select:
            if self._select_submitted and self._chosen is not None:
                self.forms[-1].fields.append((self._select, self._chosen))
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form = False


def parse_page(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser


def answers_form(html: str) -> Form | None:
    """The wizard's form: the POST form that lists the questions shown."""
    return next(
        (f for f in parse_page(html).forms if any(k == "shown" for k, _v in f.fields)), None
    )


@dataclass
class Response:
    status: int
    body: str
    location: str = ""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unexpected: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Budget:
    """Requests left and the deadline, shared by every virtual user."""

    def __init__(self, max_requests: int, seconds: float):
        self.left = max_requests
        self.deadline = time.monotonic() + seconds
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


class Client:
    """One browser: a keep-alive connection and a cookie jar."""

    def __init__(self, base: str, timeout: float):
        parts = urlsplit(base)
        self.base = base.rstrip("/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host, self.port = parts.hostname, parts.port
        self.https = parts.scheme == "https"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self.conn = cls(self.host, self.port, timeout=self.timeout)
        return self.conn

    def csrf_token(self) -> str:
        return next((v for k, v in self.cookies.items() if k.endswith("csrftoken")), "")

    def request(self, method: str, path: str, data=None, headers=None) -> Response:
        body = urlencode(data, doseq=True).encode() if data is not None else None
        sent = {
            "Host": urlsplit(self.base).netloc,
            "User-Agent": "ethicsreview-loadtest",
            "Accept": "text/html,*/*",
            "Accept-Encoding": "identity",
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin
            sent["Referer"] = self.base + path
        sent.update(headers or {})
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=sent)
                raw = conn.getresponse()
                payload = raw.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: reconnect once, but never
                # resend a POST that may have arrived.
                conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
        if raw.will_close:
            conn.close()
            self.conn = None
        for header in raw.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        location = raw.headers.get("Location", "")
        return Response(raw.status, payload.decode("utf-8", "replace"), location)

    def close(self):
        if self.conn is not None:
            self.conn.close()


class VirtualUser(threading.Thread):
    def __init__(self, number: int, role: str, account: tuple[str, str], run: "Run"):
        super().__init__(name=f"vu{number}", daemon=True)
        self.number, self.role, self.account, self.run_ = number, role, account, run
        self.client = Client(run.base, run.timeout)
        self.random = random.Random(run.seed * 1000 + number)  # noqa: S311 - not crypto
        self.campaigns: list[int] = []
        self.draft: int | None = None
        self.step_path = ""
        self.text_question = ""
        self.answers: list[tuple[str, bool]] = []  # (value written, acknowledged)
        self.feedback_sent: list[tuple[str, bool]] = []
        self.dashboard_selects: dict[str, list[str]] = {}
        self.ready = False
        self.error = ""
        self.seq = 0

    # --- timing --------------------------------------------------------------------------

    def timed(self, kind: str, method: str, path: str, data=None, headers=None, expect=(200,)):
        stats = self.run_.stats
        started = time.perf_counter()
        try:
            response = self.client.request(method, path, data=data, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            with self.run_.lock:
                stats.failures[kind] += 1
                self.run_.failure_samples.append(f"{kind} {path}: {exc.__class__.__name__}")
            self.client.close()
            self.client.conn = None
            return None
        elapsed = time.perf_counter() - started
        with self.run_.lock:
            stats.latencies[kind].append(elapsed)
            stats.statuses[kind][response.status] += 1
            if response.status not in expect:
                stats.unexpected[kind] += 1
                if len(self.run_.failure_samples) < 20:
                    self.run_.failure_samples.append(f"{kind} {path}: HTTP {response.status}")
        return response

    # --- setup: sign in and find what to work on -----------------------------------------------

    def login(self) -> None:
        page = self.client.request("GET", "/accounts/login/")
        match = CSRF_INPUT.search(page.body)
        if page.status != 200 or not match:
            raise RuntimeError(f"login page answered {page.status} without a CSRF token")
        email, password = self.account
        response = self.client.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": match.group(1), "login": email, "password": password},
        )
        if response.status == 429:
            raise RuntimeError(
                f"signing in as {email} was rate-limited (429): sign-ins from one address are "
                "limited per minute; wait a minute and run again"
            )
        if response.status != 302:
            raise RuntimeError(
                f"signing in as {email} answered {response.status} (not a redirect): is the "
                "database seeded with `seed_demo` and are SECURE_COOKIES/SECURE_SSL_REDIRECT "
                "off for plain HTTP?"
            )

    def discover(self) -> None:
        if self.role == "marketer":
            self.campaigns = self._ids("/campaigns/")
            drafts = []
            for state in ("draft", "changes_requested"):
                drafts += self._ids("/campaigns/all/?" + urlencode({"state": state}))
            drafts = sorted(set(drafts))
            if not drafts:
                raise RuntimeError(f"{self.account[0]} has no draft to save answers on")
            # Each marketer works on its own draft while there are enough of them, so its
            # last accepted answer must be the one stored.
            same_account = self.run_.account_index[self.number]
            self.draft = drafts[same_account % len(drafts)]
            self.run_.shared_drafts |= same_account >= len(drafts)
            self._find_text_question()
        elif self.role == "reviewer":
            self.campaigns = self._ids("/review/") or self._ids("/campaigns/all/")
        else:
            self.campaigns = self._ids("/campaigns/all/")
            page = self.client.request("GET", "/dashboard/")
            selects = parse_page(page.body).selects
            self.dashboard_selects = {
                k: [v for v in vs if v] for k, vs in selects.items() if k != "language"
            }
        if not self.campaigns:
            self.campaigns = self._ids("/campaigns/all/")

    def _ids(self, path: str) -> list[int]:
        response = self.client.request("GET", path)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status} for {self.account[0]}")
        return sorted({int(i) for i in CAMPAIGN_LINK.findall(response.body)})

    def _find_text_question(self) -> None:
        """The first free-text question of the draft: each save writes a unique text there."""
        detail = self.client.request("GET", f"/campaigns/{self.draft}/")
        steps = list(dict.fromkeys(STEP_LINK.findall(detail.body)))
        if not steps:
            start = self.client.request("GET", f"/campaigns/{self.draft}/assessment/")
            if start.location:
                steps = [urlsplit(urljoin(self.run_.base + "/", start.location)).path]
        for path in steps:
            page = self.client.request("GET", path)
            form = answers_form(page.body)
            if page.status == 200 and form is not None and form.textareas:
                self.step_path, self.text_question = path, form.textareas[0]
                return
        if steps:
            self.step_path = steps[0]

    # --- the measured phase -------------------------------------------------------------------

    def sign_in(self) -> None:
        """The first virtual user of an account signs in through the login page; the others
        share its session like tabs of one browser (sign-ins are rate-limited per client
        address, and every virtual user comes from this one)."""
        email = self.account[0]
        with self.run_.session_locks[email]:
            if email not in self.run_.sessions:
                self.run_.sessions[email] = None
                self.login()
                self.run_.sessions[email] = dict(self.client.cookies)
            elif self.run_.sessions[email] is None:
                raise RuntimeError("(its first virtual user could not sign in)")
            else:
                self.client.cookies = dict(self.run_.sessions[email])

    def run(self) -> None:
        try:
            self.sign_in()
            self.discover()
            self.ready = True
        except Exception as exc:
            self.error = f"{self.account[0]}: {exc}"
        self.run_.ready.wait()
        self.run_.go.wait()
        if not self.ready or self.run_.abort:
            return
        actions = MIX[self.role]
        kinds, weights = list(actions), list(actions.values())
        while self.run_.budget.take():
            kind = self.random.choices(kinds, weights)[0]
            getattr(self, f"do_{kind}")()
        self.client.close()

    def campaign(self) -> int:
        return self.random.choice(self.campaigns)

    def do_my_campaigns(self):
        self.timed("my_campaigns", "GET", "/campaigns/")

    def do_campaign_page(self):
        self.timed("campaign_page", "GET", f"/campaigns/{self.campaign()}/")

    def do_campaign_list(self):
        self.timed("campaign_list", "GET", "/campaigns/all/")

    def do_campaign_list_filtered(self):
        self.timed("campaign_list", "GET", "/campaigns/all/?" + self.filters())

    def do_review_queue(self):
        self.timed("review_queue", "GET", "/review/")

    def do_dashboard(self):
        self.timed("dashboard", "GET", "/dashboard/")

    def do_dashboard_filtered(self):
        self.timed("dashboard_filtered", "GET", "/dashboard/?" + self.filters())

    def do_export_csv(self):
        self.timed("export_csv", "GET", "/campaigns/all/export.csv?" + self.filters(0.5))

    def filters(self, chance: float = 1.0) -> str:
        query = {}
        if self.random.random() < chance and self.dashboard_selects:
            for name in self.random.sample(sorted(self.dashboard_selects), k=1):
                if self.dashboard_selects[name]:
                    query[name] = self.random.choice(self.dashboard_selects[name])
        if self.random.random() < 0.5 * chance:
            today = date.today()
            back = self.random.randint(1, 12)
            month = (today.year * 12 + today.month - 1) - back
            query["from"] = f"{month // 12:04d}-{month % 12 + 1:02d}"
        return urlencode(query)

    def do_answers_save(self):
        """The wizard: open the step, change the free-text answer, post the form as htmx
        does (three times in four) or as the Save button does."""
        page = self.timed("answers_step", "GET", self.step_path)
        if page is None or page.status != 200:
            return
        form = answers_form(page.body)
        if form is None:
            return
        fields = [(k, v) for k, v in form.fields if k != "action"]
        value = ""
        if self.text_question:
            self.seq += 1
            value = f"[{self.run_.marker}] vu{self.number} save {self.seq}"
            fields = [(k, v) for k, v in fields if k != self.text_question]
            fields.append((self.text_question, value))
        htmx = self.random.random() < 0.75
        headers = {"X-CSRFToken": self.client.csrf_token()}
        if htmx:
            headers |= {
                "HX-Request": "true",
                "HX-Current-URL": self.run_.base + self.step_path,
                "HX-Target": "questions",
            }
        response = self.timed(
            "answers_save", "POST", self.step_path, [*fields, ("action", "save")], headers
        )
        acked = response is not None and response.status == 200 and STEP_ERRORS not in response.body
        if value:
            self.answers.append((value, acked))

    def do_feedback_add(self):
        campaign = self.campaign()
        self.seq += 1
        text = f"[{self.run_.marker}] vu{self.number} feedback {self.seq}: load test, ignore"
        response = self.timed(
            "feedback_add",
            "POST",
            f"/campaigns/{campaign}/feedback/",
            {
                "csrfmiddlewaretoken": self.client.csrf_token(),
                "category": "other",
                "severity": "info",
                "text": text,
            },
            expect=(302,),
        )
        acked = response is not None and response.status == 302
        self.feedback_sent.append((text, acked))


class Run:
    def __init__(self, base, users, seconds, max_requests, timeout, seed):
        self.base, self.timeout, self.seed = base, timeout, seed
        self.marker = f"loadtest-{secrets.token_hex(4)}"
        self.stats = Stats()
        self.lock = threading.Lock()
        self.failure_samples: list[str] = []
        self.ready = threading.Barrier(users + 1)  # all signed in (or failed)
        self.go = threading.Barrier(users + 1)  # the budget is set: start
        self.seconds, self.max_requests = seconds, max_requests
        self.budget: Budget | None = None
        self.abort = False
        self.shared_drafts = False
        self.summary = ""
        self.client_cpu = 0.0
        self.account_index: dict[int, int] = {}
        self.sessions: dict[str, dict[str, str] | None] = {}
        self.session_locks = {
            email: threading.Lock() for accounts in DEMO_ACCOUNTS.values() for email, _ in accounts
        }
        self.users: list[VirtualUser] = []
        seen: dict[str, int] = defaultdict(int)
        for number in range(users):
            role = ROLE_CYCLE[number % len(ROLE_CYCLE)]
            accounts = DEMO_ACCOUNTS[role]
            account = accounts[(number // len(ROLE_CYCLE)) % len(accounts)]
            self.account_index[number] = seen[account[0]]
            seen[account[0]] += 1
            self.users.append(VirtualUser(number, role, account, self))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[rank]


def is_loopback(host: str) -> bool:
    try:
        return all(
            ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None)
        )
    except (OSError, ValueError):
        return False
