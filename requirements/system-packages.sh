#!/usr/bin/env bash
# The system libraries Ethics Review needs, checked in one place (make run, make test and
# .ci/run call it). As root with apt-get it installs what is missing; otherwise it prints
# the exact command and carries on, and the tests that need a missing part skip with a reason.
#
#   requirements/system-packages.sh run      what the app needs to serve (translations, PDFs)
#   requirements/system-packages.sh test     the same plus Chromium for the browser tests
#   requirements/system-packages.sh ci       like test, but exits 1 if anything is still missing
set -uo pipefail

purpose="${1:-run}"
case "$purpose" in
  run | test | ci) ;;
  *) echo "usage: $0 run|test|ci" >&2; exit 2 ;;
esac

libraries="$(ldconfig -p 2>/dev/null || true)"
fonts="$(fc-list 2>/dev/null || true)"

# Each line: the Debian packages, then what they are for. A part is missing when its check fails.
missing=()
reasons=()
need() {  # need "<packages>" "<reason>" <check command...>
  local packages="$1" reason="$2"
  shift 2
  if ! "$@" >/dev/null 2>&1; then
    missing+=($packages)
    reasons+=("$reason")
  fi
}
has_library() { grep -q "$1" <<<"$libraries"; }
has_font() { grep -qi "$1" <<<"$fonts"; }

need gettext "msgfmt compiles the Arabic catalogue" command -v msgfmt
need "libpango-1.0-0 libpangoft2-1.0-0" "WeasyPrint draws the PDF reports with Pango" \
  has_library libpangoft2-1.0
need libharfbuzz-subset0 "WeasyPrint subsets the fonts it embeds in PDFs" \
  has_library libharfbuzz-subset
need "fontconfig fonts-noto-core" "Arabic text in PDFs is drawn with Noto Naskh Arabic" \
  has_font "Noto Naskh Arabic"
if [ "$purpose" != run ]; then
  need chromium "the browser tests drive /usr/bin/chromium" test -x /usr/bin/chromium
  need faketime "make test-dates runs the suite with the clock moved" command -v faketime
  need "nodejs npm" "npm installs axe-core (tools/axe) for the accessibility browser tests" \
    command -v npm
fi
if [ "$purpose" = ci ]; then
  need postgresql-client "CI waits for PostgreSQL with pg_isready" command -v pg_isready
fi

# axe-core comes from the npm registry at set-up time (tools/axe/package-lock.json), never
# from git or a CDN; the accessibility tests skip, saying why, while it is missing.
axe_core() {
  [ "$purpose" = run ] && return 0
  local root
  root="$(cd "$(dirname "$0")/.." && pwd)"
  [ -f "$root/tools/axe/node_modules/axe-core/axe.min.js" ] && return 0
  command -v npm >/dev/null || return 0
  npm ci --prefix "$root/tools/axe" --no-audit --no-fund --silent \
    || { echo "Could not install axe-core (npm ci --prefix tools/axe)" >&2; [ "$purpose" != ci ]; }
}

if [ ${#missing[@]} -eq 0 ]; then
  axe_core || exit 1
  exit 0
fi

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    axe_core || exit 1
    exit 0
  fi
  echo "Could not install: ${missing[*]}" >&2
else
  echo "Missing system packages:" >&2
  for reason in "${reasons[@]}"; do echo "  - $reason" >&2; done
  echo "Install them with:  sudo $command" >&2
  echo "(The app runs without them; the tests that need them skip and say why.)" >&2
fi
[ "$purpose" = ci ] && exit 1
exit 0
