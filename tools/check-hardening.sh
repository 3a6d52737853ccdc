#!/bin/bash
# SPDX-License-Identifier: ISC
#
# tools/check-hardening.sh PREFIX [PAM_MODULE]
#
# Check every ELF file installed under PREFIX, and the PAM module (which
# lives outside the prefix, e.g. /lib/x86_64-linux-gnu/security), for the
# hardening the build promises (STYLE.md "Build"):
#
#   pie        an executable is ELF type DYN with the PIE flag (DT_FLAGS_1);
#              a shared object is DYN without text relocations
#   relro      a GNU_RELRO segment
#   bindnow    DT_FLAGS BIND_NOW or DT_FLAGS_1 NOW (full RELRO)
#   fortify    calls to fortified libc functions (__*_chk other than
#              __stack_chk_*): built with _FORTIFY_SOURCE
#   stackprot  __stack_chk_fail referenced (-fstack-protector-strong)
#   rpath      no DT_RPATH or DT_RUNPATH
#   execstack  a GNU_STACK segment that is not executable
#   sanitizer  no __asan_/__ubsan_/__sanitizer_/... symbol, no sanitizer
#              runtime among DT_NEEDED
#
# Prints one line per file; exits 1 naming each file and check that
# failed, 2 on bad usage or when there is nothing to check.  Check a
# build without installing it for real:
#   DESTDIR=$d cmake --install build && tools/check-hardening.sh \
#       "$d/usr/local" "$d/lib/x86_64-linux-gnu/security/pam_jitlog.so"
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -d "$1" ]; then
	echo "usage: tools/check-hardening.sh PREFIX [PAM_MODULE]" >&2
	exit 2
fi
if ! command -v readelf >/dev/null; then
	echo "check-hardening: readelf not found (binutils)" >&2
	exit 2
fi
prefix=$1
module=${2:-}
if [ -n "$module" ] && [ ! -f "$module" ]; then
	echo "check-hardening: $module: no such file" >&2
	exit 2
fi

is_elf() {
	[ "$(head -c 4 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = \
	    7f454c46 ]
}

# check_one FILE: print the names of the checks FILE fails.
check_one() {
	local f=$1 hdr prog dyn syms bad=()

	hdr=$(readelf -h -W "$f") || {
		echo unreadable
		return
	}
	prog=$(readelf -l -W "$f" 2>/dev/null)
	dyn=$(readelf -d -W "$f" 2>/dev/null)
	syms=$( (readelf --dyn-syms -W "$f"; readelf -s -W "$f") 2>/dev/null)

	if grep -q 'INTERP' <<<"$prog"; then
		grep -Eq 'Type:[[:space:]]+DYN' <<<"$hdr" &&
		    grep -Eq '\(FLAGS_1\).*[[:space:]]PIE' <<<"$dyn" ||
		    bad+=(pie)
	else
		grep -Eq 'Type:[[:space:]]+DYN' <<<"$hdr" &&
		    ! grep -Eq '\(TEXTREL\)|[[:space:]]TEXTREL' <<<"$dyn" ||
		    bad+=(pie)
	fi
	grep -q 'GNU_RELRO' <<<"$prog" || bad+=(relro)
	grep -Eq '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*[[:space:]]NOW' <<<"$dyn" ||
	    bad+=(bindnow)
	grep -Eq '[[:space:]]__[A-Za-z0-9_]+_chk(@|[[:space:]]|$)' \
	    <<<"$(grep -v '__stack_chk_' <<<"$syms")" || bad+=(fortify)
	grep -q '__stack_chk_fail' <<<"$syms" || bad+=(stackprot)
	grep -Eq '\((RPATH|RUNPATH)\)' <<<"$dyn" && bad+=(rpath)
	grep -Eq 'GNU_STACK.*[[:space:]]RW[[:space:]]' <<<"$prog" &&
	    ! grep -Eq 'GNU_STACK.*[[:space:]]RWE[[:space:]]' <<<"$prog" ||
	    bad+=(execstack)
	if grep -Eq '__(asan|ubsan|sanitizer|tsan|msan|lsan|hwasan)_' \
	    <<<"$syms" ||
	    grep -Eq '\(NEEDED\).*lib(asan|ubsan|tsan|lsan|hwasan)' <<<"$dyn"; then
		bad+=(sanitizer)
	fi
	echo "${bad[*]}"
}

files=()
while IFS= read -r -d '' f; do
	is_elf "$f" && files+=("$f")
done < <(find "$prefix" -type f -print0 | sort -z)
if [ -n "$module" ]; then
	case " ${files[*]} " in
	*" $module "*) ;;
	*) files+=("$module") ;;
	esac
fi
if [ ${#files[@]} -eq 0 ]; then
	echo "check-hardening: no ELF file under $prefix" >&2
	exit 2
fi

failures=()
for f in "${files[@]}"; do
	failed=$(check_one "$f")
	if [ -z "$failed" ]; then
		echo "ok    $f"
	else
		echo "FAIL  $f: ${failed// /, }"
		failures+=("$f: ${failed// /, }")
	fi
done
if [ ${#failures[@]} -ne 0 ]; then
	printf 'check-hardening: FAILED: %s\n' "${failures[@]}" >&2
	exit 1
fi
echo "check-hardening: ${#files[@]} file(s): PIE, full RELRO, fortified," \
    "stack protector, no RPATH/RUNPATH, no executable stack, no sanitizer"
