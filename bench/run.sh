#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/run.sh: every benchmark of bench/README.md in one go, on one
# machine, one after the other, then a summary table of the figures and
# the goals.  Each part is its own script, which can also be run alone:
#
#   viewer   bench/viewer/run.sh   throughput (redaction off vs cat|cat,
#                                  default rules vs sed -E), peak RSS,
#                                  follow latency, cut-off latency
#   peers    (here)                perl -p with bench/rules/redact.pl on
#                                  the same log, cat | cat | cat (what
#                                  one more process costs), and how far
#                                  sed's and perl's output is from
#                                  jitlog's
#   store    bench/store/run.sh    list --pending, show, audit verify at
#                                  1M grants and 5M audit events
#   pam      bench/pam/run.sh      pamtester vs pam_permit, in-process
#                                  decision latency, on 1M grants; then
#                                  bench/pam/decide_parts.c: the steps of
#                                  one decision timed one by one
#   load     bench/load/run.sh     jitadm under contention (32 clients)
#
# The programs come from BUILD (-b; default build-bench, configured here
# with paths under /var/tmp/jitlog-test/bench so that the setuid install
# touches neither a real installation nor the test suite's), installed
# with their real modes by tests/integration/lib/install.sh, and removed
# again at the end.  Raw results (each part's output, hyperfine JSON) go
# to OUTDIR (-o; default /var/tmp/jitlog-bench/results/DATE), the summary
# to OUTDIR/summary.md and stdout.
#
# --smoke: tiny sizes, one run of each, seconds in all; for CI, so that
# the scripts do not rot.  It asserts nothing about time: it fails only
# when a part cannot run.
#
# Usage: bench/run.sh [--smoke] [-b BUILD] [-o OUTDIR] [-p PARTS]
#   PARTS: comma-separated subset of viewer,peers,store,pam,load
# Exit: 0 all ran and (full run) every goal met; 1 a goal missed (full
# run); 3 a part failed to run; 77 not root.
set -u
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
SMOKE='' BUILD='' OUT='' PARTS=viewer,peers,store,pam,load
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=1; shift ;;
	-b) BUILD=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-p) PARTS=$2; shift 2 ;;
	*) echo "usage: bench/run.sh [--smoke] [-b BUILD] [-o OUTDIR] [-p PARTS]" >&2
	   exit 2 ;;
	esac
done
if [ -n "$SMOKE" ]; then
	LOG_SIZE=4M VIEW_RUNS=1 PERL_RUNS=1 STORE_N=2000 STORE_EVENTS=10000
	STORE_RUNS=2 PAM_N=2000 PAM_RUNS=5 PAM_ROUNDS=50 PARTS_ROUNDS=50
else
	LOG_SIZE=400M VIEW_RUNS=7 PERL_RUNS=1 STORE_N=1000000
	STORE_EVENTS=5000000 STORE_RUNS=20 PAM_N=1000000 PAM_RUNS=300
	PAM_ROUNDS=5000 PARTS_ROUNDS=2000
fi
W=/var/tmp/jitlog-bench
BR=/var/tmp/jitlog-test/bench
ADMIN=jlbench-adm
# Work directories of the viewer and PAM parts (their logs and stores are
# kept for the next run of the same size): the smoke run has its own.
VW=$W/viewer${SMOKE:+-smoke} PW=$W/pam${SMOKE:+-smoke}

die() {
	echo "bench/run.sh: $*" >&2
	exit 3
}
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root (setuid install, users, /etc/pam.d)"; exit 77; }
for t in cmake cc hyperfine jq sqlite3 python3 perl sed setpriv pamtester flock; do
	command -v "$t" >/dev/null || die "$t not found (tools/deps.sh)"
done
mkdir -p "$W" && chmod 0700 "$W" || die "mkdir $W"
# One run at a time: the parts share users, logs and stores.
exec 8>>"$W/.run.lock"
flock -n 8 || die "another bench/run.sh holds $W/.run.lock"

OUT=${OUT:-$W/results/$(date -u +%Y%m%d-%H%M%S)${SMOKE:+-smoke}}
mkdir -p "$OUT" || die "mkdir $OUT"
OUT=$(cd "$OUT" && pwd)
has() { case ",$PARTS," in *",$1,"*) return 0 ;; esac; return 1; }
t_start=$SECONDS
status=0	# worst exit of the parts: 0, 1 (goal missed) or 3
t_part=$SECONDS
part_start() {	# NAME COMMAND...: what the part runs, for the summary
	t_part=$SECONDS
	echo "$1: $(printf '%q ' "${@:2}" | sed "s|$top/||g; s| \$||")" >>"$OUT/commands.txt"
}
part_rc() {	# NAME RC
	echo "$1 $2 ($((SECONDS - t_part)) s)" >>"$OUT/parts.rc"
	case $2 in
	0) ;;
	1) [ "$status" = 3 ] || status=1 ;;
	*) status=3; echo "bench/run.sh: part $1 failed (exit $2): see $OUT/$1.log" >&2 ;;
	esac
}

# ---- the build -------------------------------------------------------------
if [ -z "$BUILD" ]; then
	BUILD=$top/build-bench
	cmake -S "$top" -B "$BUILD" -DJITLOG_WERROR=ON \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DJITLOG_CONFIG_PATH=$BR/etc/jitlog.conf \
	    -DJITLOG_DATABASE_PATH=$BR/state/jitlog.db \
	    -DCMAKE_INSTALL_PREFIX=$BR/prefix \
	    -DJITLOG_PAM_DIR=$BR/prefix/lib/security >"$OUT/build.log" 2>&1 ||
	    die "cmake configure failed: see $OUT/build.log"
fi
BUILD=$(cd "$BUILD" && pwd) || die "no build directory $BUILD"
echo "== building $BUILD"
cmake --build "$BUILD" -j "$(nproc)" >>"$OUT/build.log" 2>&1 ||
    die "build failed: see $OUT/build.log"
cachevar() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt" | head -n 1; }
PREFIX=$(cachevar CMAKE_INSTALL_PREFIX)
CONF=$(cachevar JITLOG_CONFIG_PATH)
DB=$(cachevar JITLOG_DATABASE_PATH)
SEEDER=$BUILD/tests/pam/jl_seed_store
grep -q 'CMAKE_BUILD_TYPE:STRING=Debug' "$BUILD/CMakeCache.txt" &&
    echo "bench/run.sh: warning: $BUILD is a Debug build" >&2

created_users=()
cleanup() {
	local u
	for u in "${created_users[@]}"; do
		userdel "$u" 2>/dev/null
	done
	# Never leave a benchmark build installed setuid (TESTING.md).
	case $PREFIX in
	/var/tmp/jitlog-test/?*) rm -rf "$PREFIX" ;;
	esac
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The machine, for the README.
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host: $(uname -srm), $(nproc) CPUs, $(free -g | awk '/^Mem:/ { print $2 }') GiB"
	echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit: $(git -C "$top" rev-parse --short HEAD 2>/dev/null)$(git -C "$top" diff --quiet 2>/dev/null || echo '+changes')"
	echo "build: $BUILD ($(cachevar CMAKE_BUILD_TYPE))"
	echo "mode: $([ -n "$SMOKE" ] && echo smoke || echo full)"
	for t in hyperfine sed perl; do
		echo "$t: $("$t" --version 2>&1 | grep -m 1 -E '[0-9]+\.[0-9]+')"
	done
} >"$OUT/machine.txt"

# A plain user for the parts that need one (admin of the store part's
# config, NSS lookups of the PAM part), removed at exit if made here.
if ! getent passwd "$ADMIN" >/dev/null; then
	useradd -M -d /nonexistent -s /usr/sbin/nologin -U "$ADMIN" ||
	    die "useradd $ADMIN"
	created_users+=("$ADMIN")
fi

# ---- viewer ----------------------------------------------------------------
if has viewer; then
	part_start viewer bench/viewer/run.sh -b "$BUILD" -s "$LOG_SIZE" \
	    -r "$VIEW_RUNS" -w "$VW"
	echo "== viewer (bench/viewer/run.sh -s $LOG_SIZE -r $VIEW_RUNS)"
	"$top/bench/viewer/run.sh" -b "$BUILD" -s "$LOG_SIZE" -r "$VIEW_RUNS" \
	    -w "$VW" >"$OUT/viewer.log" 2>&1
	part_rc viewer $?
	sed 's/^/   /' "$OUT/viewer.log" | grep -E 'ms|KiB|MISSED|target' | head -40
fi

# ---- peers: perl, and how far sed and perl are from jitlog -----------------
peers() {
	local log=$VW/logs/app.log red=$OUT/peers
	local t0 t best='' i bytes
	[ -s "$log" ] || { echo "no log $log (run the viewer part)"; return 3; }
	bytes=$(stat -c %s "$log")
	mkdir -p "$red"
	for ((i = 0; i < PERL_RUNS; i++)); do
		t0=$(date +%s%N)
		perl -p "$top/bench/rules/redact.pl" "$log" | cat >/dev/null ||
		    return 3
		t=$((($(date +%s%N) - t0) / 1000000))
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	echo "perl -p redact.pl | cat: $best ms ($((bytes / 1000 / best)) MB/s)"
	echo "peers_perl_ms=$best" >"$OUT/peers.env"
	echo "peers_bytes=$bytes" >>"$OUT/peers.env"
	# What one more process in the pipeline costs here (jitlogview is
	# two: the privileged monitor and the unprivileged streamer), best of
	# as many runs as the viewer part.
	best=''
	for ((i = 0; i < VIEW_RUNS; i++)); do
		t0=$(date +%s%N)
		cat "$log" | cat | cat >/dev/null
		t=$((($(date +%s%N) - t0) / 1000000))
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	echo "cat FILE | cat | cat: $best ms ($((bytes / 1000 / best)) MB/s)"
	echo "peers_cat3_ms=$best" >>"$OUT/peers.env"
	# Output differences on the first 20 MB (jl_redact: the viewer's
	# own streaming core, no privileges).
	# shellcheck disable=SC2046 # pkg-config prints several flags
	cc -O2 -I"$top/include" -o "$red/jl_redact" \
	    "$top/bench/rules/jl_redact.c" "$BUILD/lib/libjitlog_core.a" \
	    $(pkg-config --libs libpcre2-8 sqlite3 libsodium libconfig) ||
	    return 3
	head -c 20000000 "$log" | sed '$d' >"$red/sample.log"
	"$red/jl_redact" <"$red/sample.log" >"$red/jitlog.out" || return 3
	sed -E -f "$top/bench/rules/redact.sed" "$red/sample.log" >"$red/sed.out"
	perl -p "$top/bench/rules/redact.pl" "$red/sample.log" >"$red/perl.out"
	python3 "$top/bench/rules/compare" "$red/jitlog.out" "$red/sed.out" \
	    "$red/perl.out" | tee "$red/compare.txt"
	sed -n 's/^\(sed\|perl\): \([0-9]*\) of \([0-9]*\) lines differ, \([0-9]*\) only in card.*/peers_\1_diff=\2 peers_\1_diff_card=\4 peers_lines=\3/p' \
	    "$red/compare.txt" | tr ' ' '\n' >>"$OUT/peers.env"
}
if has peers; then
	part_start peers perl -p bench/rules/redact.pl "$VW/logs/app.log" \| cat
	echo "== peers: perl -p on the viewer's log, output compared"
	peers >"$OUT/peers.log" 2>&1
	part_rc peers $?
	sed 's/^/   /' "$OUT/peers.log" | head -20
fi

# ---- store -----------------------------------------------------------------
install_bench() {
	"$top/tests/integration/lib/install.sh" "$BUILD" \
	    >"$OUT/install.log" 2>&1 ||
	    die "install.sh $BUILD failed (a build with paths under /var/tmp/jitlog-test?): $(tail -n 3 "$OUT/install.log")"
}
if has store; then
	part_start store bench/store/run.sh -j "$PREFIX/bin/jitadm" -d "$DB" \
	    -a "$ADMIN" -s "$SEEDER" -o "$OUT/store" -n "$STORE_N" \
	    -e "$STORE_EVENTS" -r "$STORE_RUNS" -f
	echo "== store (bench/store/run.sh -n $STORE_N -e $STORE_EVENTS)"
	install_bench
	# The build's config and store lie in the test root: hold its lock
	# while they are ours (as the integration tests do).
	exec 7>>/var/tmp/jitlog-test/.lock
	flock -w 600 7 || die "another test run holds /var/tmp/jitlog-test/.lock"
	cat >"$CONF.tmp" <<EOF
# bench/run.sh: the store benchmark's config
database = "$DB";
admins = [ "$ADMIN" ];
resources = (
  { name = "payments-debug"; paths = [ "/var/log/payments/debug.log" ];
    approvers = [ "root" ]; }
);
EOF
	chmod 0644 "$CONF.tmp" && mv -f "$CONF.tmp" "$CONF" || die "write $CONF"
	"$top/bench/store/run.sh" -j "$PREFIX/bin/jitadm" -d "$DB" -a "$ADMIN" \
	    -s "$SEEDER" -o "$OUT/store" -n "$STORE_N" -e "$STORE_EVENTS" \
	    -r "$STORE_RUNS" -f >"$OUT/store.log" 2>&1
	part_rc store $?
	exec 7>&-
	grep -E '^==|^   ' "$OUT/store.log" | tail -n 4 | sed 's/^/   /'
fi

# ---- pam -------------------------------------------------------------------
if has pam; then
	part_start pam bench/pam/run.sh -b "$BUILD" -n "$PAM_N" -r "$PAM_RUNS" \
	    -R "$PAM_ROUNDS" -w "$PW"
	echo "== pam (bench/pam/run.sh -n $PAM_N -r $PAM_RUNS -R $PAM_ROUNDS)"
	"$top/bench/pam/run.sh" -b "$BUILD" -n "$PAM_N" -r "$PAM_RUNS" \
	    -R "$PAM_ROUNDS" -w "$PW" >"$OUT/pam.log" 2>&1
	part_rc pam $?
	# Where the time of one decision goes (bench/pam/decide_parts.c), on
	# that part's config and store; NSS for a plain user.
	guid=$(sqlite3 -readonly "$PW/state/jitlog.db" \
	    "select uid from grants where user = 'jlbench' order by id desc limit 1")
	part_start pam-parts bench/pam/decide_parts "$PW/jitlog.conf" "$ADMIN" \
	    jlbench "$guid" payments-debug "$PARTS_ROUNDS"
	# shellcheck disable=SC2046 # pkg-config prints several flags
	cc -O2 -I"$top/include" -o "$OUT/decide_parts" \
	    "$top/bench/pam/decide_parts.c" "$BUILD/lib/libjitlog_core.a" \
	    $(pkg-config --libs libpcre2-8 sqlite3 libsodium libconfig) &&
	    "$OUT/decide_parts" "$PW/jitlog.conf" "$ADMIN" jlbench "$guid" \
	    payments-debug "$PARTS_ROUNDS" >"$OUT/pam-parts.log" 2>&1
	part_rc pam-parts $?
	sed 's/^/   /' "$OUT/pam-parts.log"
	[ -f "$PW/hyperfine.json" ] && cp "$PW/hyperfine.json" "$OUT/pam-hyperfine.json"
	grep -E 'ratio|p99|lookups|MISSED' "$OUT/pam.log" | sed 's/^/   /'
fi

# ---- load ------------------------------------------------------------------
if has load; then
	if [ -x "$top/bench/load/run.sh" ]; then
		part_start load bench/load/run.sh -b "$BUILD" ${SMOKE:+--smoke}
		echo "== load (bench/load/run.sh)"
		"$top/bench/load/run.sh" -b "$BUILD" ${SMOKE:+--smoke} \
		    >"$OUT/load.log" 2>&1
		part_rc load $?
		tail -n 15 "$OUT/load.log" | sed 's/^/   /'
	else
		echo "== load: bench/load/run.sh not there; skipped"
		echo "load skipped" >>"$OUT/parts.rc"
	fi
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
echo "elapsed: $((SECONDS - t_start)) s" >>"$OUT/machine.txt"

# ---- summary ---------------------------------------------------------------
python3 "$top/bench/summary" "$OUT" ${SMOKE:+--smoke} >"$OUT/summary.md" ||
    die "summary failed"
cat "$OUT/summary.md"
echo "raw results: $OUT"
if [ -n "$SMOKE" ] && [ "$status" = 1 ]; then
	status=0	# the smoke run asserts nothing about time
fi
exit "$status"
