"""A webhook cannot be pointed into our own network (SSRF): https only, every resolved
address checked, the connection made to the checked address, and what a failed delivery
records never tells whether an internal port is open."""

import datetime
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.urls import reverse

from assessments import webhooks
from assessments.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

REFUSED = "Refused: address not allowed."
NO_ANSWER = "No answer: the receiver could not be reached."

NOT_PUBLIC = [
    "127.0.0.1",  # loopback
    "127.53.1.9",
    "10.0.0.1",  # private
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # link-local, cloud metadata
    "169.254.10.10",
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.254",
    "0.0.0.0",  # unspecified
    "0.1.2.3",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.10",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",  # link-local
    "fc00::1",  # unique-local
    "fd12:3456::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:10.1.2.3",
    "::ffff:100.64.0.1",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
]
PUBLIC = ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


def _url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_addresses_outside_the_public_internet_are_refused(address):
    assert webhooks.address_allowed(address) is False


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert webhooks.address_allowed(address) is True


def test_allowed_networks_open_only_themselves_never_the_metadata_address(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/24", "169.254.0.0/16", "fd12:3456::/48"]
    assert webhooks.address_allowed("10.20.0.7")
    assert webhooks.address_allowed("::ffff:10.20.0.7")
    assert webhooks.address_allowed("fd12:3456::9")
    assert webhooks.address_allowed("169.254.10.10")
    assert not webhooks.address_allowed("10.20.1.7")
    assert not webhooks.address_allowed("127.0.0.1")
    assert not webhooks.address_allowed("169.254.169.254")
    assert not webhooks.address_allowed("::ffff:169.254.169.254")


def test_a_malformed_allowed_network_stops_the_settings():
    result = run_manage(
        "check", env_overrides={"DEBUG": "true", "WEBHOOK_ALLOWED_NETWORKS": "10.0.0.0/8,intranet"}
    )
    assert result.returncode != 0
    assert "WEBHOOK_ALLOWED_NETWORKS: 'intranet' is not a network" in result.stderr


# --- at save time (the admin) -----------------------------------------------------------------


def _add(client, url):
    return client.post(
        reverse("admin:assessments_webhook_add"),
        {
            "name": "CRM",
            "url": url,
            "events": ["decision.made"],
            "active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1:6390/",
        "https://[::1]:5432/",
        "https://10.1.2.3/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fd00:ec2::254]/",
        "https://100.64.0.1/hook",
        "https://localhost:8000/hook",
    ],
)
def test_the_admin_refuses_literal_internal_addresses(client, admin_user, url):
    client.force_login(admin_user)
    response = _add(client, url)
    assert response.status_code == 200
    assert REFUSED in response.text
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "127.1", "0177.0.0.1", "[::ffff:7f00:1]"])
def test_numeric_spellings_of_loopback_are_refused_when_saved_and_when_sent(
    host, delivery_to, monkeypatch
):
    url = f"https://{host}:6379/"
    assert webhooks.url_problem(url) == REFUSED
    monkeypatch.setattr(webhooks, "_connect_pinned", pytest.fail)
    delivery, _hook = delivery_to(url)
    assert _deliver(delivery).last_error == REFUSED


def test_the_admin_refuses_http_unless_allowed(client, admin_user, settings):
    client.force_login(admin_user)
    response = _add(client, "http://hooks.example.com/ethics")
    assert response.status_code == 200
    assert "Refused: only https:// addresses are allowed." in response.text
    assert not Webhook.objects.exists()

    settings.WEBHOOK_ALLOW_HTTP = True
    assert _add(client, "http://hooks.example.com/ethics").status_code == 302
    assert Webhook.objects.get().url == "http://hooks.example.com/ethics"


def test_the_admin_accepts_https_names_without_asking_dns(client, admin_user, monkeypatch):
    real = socket.getaddrinfo

    def no_dns(*args, **kwargs):
        if kwargs.get("flags", 0) & socket.AI_NUMERICHOST:
            return real(*args, **kwargs)  # reading a number is not a lookup
        raise AssertionError("no DNS lookup at save time")

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", no_dns)
    client.force_login(admin_user)
    assert _add(client, "https://hooks.example.com/ethics").status_code == 302


def test_the_admin_refusal_is_in_arabic_too(client, admin_user):
    admin_user.language = "ar"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    response = _add(client, "https://127.0.0.1:6390/")
    assert response.status_code == 200
    assert "مرفوض" in response.text


# --- at send time -----------------------------------------------------------------------------


@pytest.fixture
def delivery_to(approved_campaign):
    def make(url):
        hook = Webhook.objects.create(name="Target", url=url, events=[WebhookEvent.DECISION_MADE])
        return webhooks.emit(WebhookEvent.DECISION_MADE, approved_campaign, {"outcome": "x"})[
            -1
        ], hook

    return make


def _deliver(delivery) -> WebhookDelivery:
    assert webhooks.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    return delivery


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_literal_internal_address_is_not_contacted(delivery_to, monkeypatch, address):
    def no_connection(*args, **kwargs):
        raise AssertionError("connected to a refused address")

    monkeypatch.setattr(webhooks, "_connect_pinned", no_connection)
    delivery, _hook = delivery_to(f"https://{_url_host(address)}:6390/hook")

    delivery = _deliver(delivery)

    assert (delivery.last_error, delivery.last_status_code) == (REFUSED, None)
    assert delivery.status == DeliveryStatus.PENDING  # retried like any failure, then failed


def test_a_name_resolving_to_a_private_address_is_refused(delivery_to, receiver, settings):
    """localhost resolves to 127.0.0.1, where a receiver listens: not allowed, not contacted."""
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    port = receiver.url.split(":")[2].split("/")[0]
    delivery, _hook = delivery_to(f"http://localhost:{port}/hooks/ethics")

    delivery = _deliver(delivery)

    assert delivery.last_error == REFUSED
    assert receiver.requests == []


def test_every_resolved_address_is_checked(delivery_to, monkeypatch):
    """A name with one public and one internal address is refused whatever the order."""
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443)),
    ]
    monkeypatch.setattr(webhooks.socket, "getaddrinfo", lambda *a, **k: answers)
    monkeypatch.setattr(webhooks, "_connect_pinned", pytest.fail)
    delivery, _hook = delivery_to("https://mixed.example.com/hook")

    assert _deliver(delivery).last_error == REFUSED
    answers.reverse()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING)
    assert _deliver(delivery).last_error == REFUSED


def test_http_is_refused_at_send_time_and_not_retried(delivery_to, monkeypatch):
    monkeypatch.setattr(webhooks, "_connect_pinned", pytest.fail)
    delivery, _hook = delivery_to("http://93.184.215.14/hook")

    delivery = _deliver(delivery)

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Refused: only https:// addresses are allowed."


def test_the_address_checked_is_the_one_connected_to(delivery_to, receiver, monkeypatch):
    """The name is resolved once, by the check; the connection goes to that address and the
    Host header still names the host (no second lookup that DNS could answer otherwise)."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    lookups = []

    def resolver(host, port_, *args, **kwargs):
        lookups.append(host)
        if len(lookups) > 1:  # a rebinding DNS: public first, internal afterwards
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.9.9.9", port_))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", resolver)
    delivery, _hook = delivery_to(f"http://hooks.example.test:{port}/hooks/ethics?k=1")

    assert webhooks.deliver(delivery.pk) is True
    assert lookups == ["hooks.example.test"]
    assert len(receiver.requests) == 1
    assert receiver.requests[0].path == "/hooks/ethics?k=1"
    assert receiver.requests[0].headers["Host"] == f"hooks.example.test:{port}"


def test_errors_do_not_tell_open_from_closed_ports(delivery_to, receiver, settings):
    """Before: 'URLError: [Errno 111] Connection refused' for a closed port and an HTTP status
    for an open one. Now refused addresses read the same, and so do all network failures."""
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    port = receiver.url.split(":")[2].split("/")[0]
    open_port, _ = delivery_to(f"http://127.0.0.1:{port}/hooks/ethics")
    closed_port, _ = delivery_to("http://127.0.0.1:1/")
    open_port, closed_port = _deliver(open_port), _deliver(closed_port)
    assert (open_port.last_error, open_port.last_status_code) == (REFUSED, None)
    assert (closed_port.last_error, closed_port.last_status_code) == (REFUSED, None)
    assert receiver.requests == []

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    closed = _deliver(delivery_to("http://127.0.0.1:1/")[0])
    assert (closed.last_error, closed.last_status_code) == (NO_ANSWER, None)
    assert "111" not in closed.last_error and "refused" not in closed.last_error.lower()


def test_the_admin_shows_the_refusal_not_the_network(client, admin_user, delivery_to):
    delivery, hook = delivery_to("https://127.0.0.1:6390/")
    _deliver(delivery)
    client.force_login(admin_user)
    page = client.get(reverse("admin:assessments_webhook_change", args=[hook.pk]))
    assert REFUSED in page.text
    assert "6390" not in page.text.replace(hook.url, "")
    assert "Errno" not in page.text and "Connection refused" not in page.text


# --- TLS to the checked address, for the host name --------------------------------------------


@pytest.fixture
def tls_receiver(tmp_path, settings):
    """An https receiver on 127.0.0.1 with a certificate for hooks.example.test only, signed
    by a throwaway CA; it records the server name (SNI) each client asked for."""
    # Valid whatever the clock says (RFC 5280's "no expiry" end): no dependence on today.
    since = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    until = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(since)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(since)
        .not_valid_after(until)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("hooks.example.test")]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_names, paths = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            paths.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    yield {
        "port": server.server_address[1],
        "ca": str(tmp_path / "ca.pem"),
        "server_names": server_names,
        "paths": paths,
    }
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_https_goes_to_the_checked_address_with_the_host_name_for_tls(
    delivery_to, tls_receiver, monkeypatch
):
    port = tls_receiver["port"]
    monkeypatch.setattr(
        webhooks.socket,
        "getaddrinfo",
        lambda host, p, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", p))],
    )
    trusted = ssl.create_default_context(cafile=tls_receiver["ca"])
    monkeypatch.setattr(webhooks.ssl, "create_default_context", lambda: trusted)

    delivery, hook = delivery_to(f"https://hooks.example.test:{port}/in")
    assert webhooks.deliver(delivery.pk) is True
    assert tls_receiver["server_names"] == ["hooks.example.test"]
    assert tls_receiver["paths"] == ["/in"]

    # The same address under another name: the certificate does not match, nothing is sent.
    hook.url = f"https://other.example.test:{port}/in"
    hook.save(update_fields=["url"])
    again = webhooks.emit(WebhookEvent.DECISION_MADE, delivery.campaign, {"outcome": "y"})[-1]
    again = _deliver(again)
    assert again.last_error == NO_ANSWER
    assert tls_receiver["paths"] == ["/in"]


def test_the_checked_address_is_an_ip_address_object():
    # ipaddress is the one judge: text with a zone index is read without it.
    assert webhooks.address_allowed(ipaddress.ip_address("8.8.8.8"))
    assert not webhooks.address_allowed("fe80::1%eth0")
