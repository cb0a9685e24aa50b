#!/bin/sh
# Install what spicegen needs from Debian, only where it is missing:
#   ngspice (program + XSPICE code models), libngspice0 and libngspice0-dev (libngspice.so,
#   the name PySpice loads), the venv module for python3, and a C compiler (the tests build a
#   crashing XSPICE code model to check that a crash cannot take the caller down).
# On Debian 12 (bookworm) ngspice 46 comes from bookworm-backports: it has KLU (large
# crossbars) and fixes a segfault of external sources in 39. SPICEGEN_NGSPICE_SOURCE=distro
# keeps the distribution's ngspice instead.
set -eu

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

have_libngspice() {
    for dir in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib /usr/local/lib; do
        [ -e "$dir/libngspice.so" ] && return 0
    done
    return 1
}

need=""
command -v ngspice >/dev/null 2>&1 || need="$need ngspice"
have_libngspice || need="$need libngspice0 libngspice0-dev"
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need="$need python3-venv"
command -v cc >/dev/null 2>&1 || need="$need gcc libc6-dev"

if [ -z "$need" ]; then
    echo "system packages: ngspice $(ngspice --version 2>/dev/null | sed -n 's/.*ngspice-\([0-9.]*\).*/\1/p' | head -n1) and libngspice present"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "spicegen needs:$need; this is not a Debian-like system, install them by hand" >&2
    exit 1
fi

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
target=""
if [ "$codename" = "bookworm" ] && [ "${SPICEGEN_NGSPICE_SOURCE:-backports}" = "backports" ]; then
    list=/etc/apt/sources.list.d/bookworm-backports.list
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "deb http://deb.debian.org/debian bookworm-backports main" | $sudo tee "$list" >/dev/null
    fi
    target="-t bookworm-backports"
fi

echo "installing:$need"
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $target $need
