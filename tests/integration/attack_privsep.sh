#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Attacks on jitlogview's privilege separation (SECURITY.md "Privilege
# separation"), beyond view_privsep.sh (the credentials, capabilities
# and fds of both processes, /proc/PID/{environ,mem,maps} and ptrace of
# a running view, fork and pipe failure) and view_cutoff.sh (expiry and
# revocation with a stopped streamer or a reader that never reads):
#  - at any moment of a view's life, from exec to exit, the caller cannot
#    read /proc/PID/{environ,fd,fdinfo,mem,...} (also per task), take an
#    fd with pidfd_getfd or read memory with process_vm_readv, of either
#    process: a caller-side loop tries all of it against 300 views;
#  - the caller may kill its own streamer (SIGKILL, SIGSEGV after raising
#    its core limit with prlimit): the view ends (exit 3), is closed in
#    the store, and no core file is written;
#  - job control from a real terminal (^Z in tmux) does not stop the
#    view past its grant: it ends at expiry with exit 4.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"

attack_setup
VIEWS=${JL_PRIVSEP_VIEWS:-300}
active "$ALICE" app-debug
long=$ID
expect 0 as "$ALICE" "$JITLOGVIEW" app-debug
FULL=$OUT
ahome=$(getent passwd "$ALICE" | cut -d: -f6)
mkdir -m 0700 "$T/ps"
chown "$ALICE" "$T/ps"

cat >"$T/probe.py" <<'EOF'
# As the caller: poke every jitlogview process until told to stop; print
# what worked (nothing may) and how many processes were seen.
import ctypes, errno, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
stop = False
def handler(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, handler)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
SYS_pidfd_open, SYS_pidfd_getfd, SYS_process_vm_readv = 434, 438, 310
seen, hits = set(), []
buf = ctypes.create_string_buffer(4096)
def try_read(pid, what, path, size=4096):
    try:
        with open(path, "rb", buffering=0) as f:
            data = f.read(size)
        # An exiting process has no memory left: open works, reads
        # give nothing.
        if data:
            hits.append("%s read %s (%d bytes)" % (pid, what, len(data)))
    except OSError:
        pass
def attack(pid):
    base = "/proc/%d" % pid
    dirs = [base]
    try:
        dirs += ["%s/task/%s" % (base, t) for t in os.listdir(base + "/task")]
    except OSError:
        pass
    for d in dirs:
        for f in ("environ", "mem", "auxv", "stack", "syscall", "pagemap",
                  "io", "maps", "smaps", "personality"):
            try_read(pid, d + "/" + f, d + "/" + f)
        for f in ("fd", "fdinfo", "map_files", "ns"):
            try:
                os.listdir(d + "/" + f)
                hits.append("%s listed %s/%s" % (pid, d, f))
            except OSError:
                pass
        for f in ("cwd", "root", "exe", "fd/0", "fd/3"):
            try:
                os.readlink(d + "/" + f)
                hits.append("%s readlink %s/%s" % (pid, d, f))
            except OSError:
                pass
    # Anything but "not permitted" (or "gone") means the access check
    # passed: EBADF from pidfd_getfd, EFAULT from process_vm_readv.
    denied = (errno.EPERM, errno.EACCES, errno.ESRCH)
    pfd = libc.syscall(SYS_pidfd_open, pid, 0)
    if pfd >= 0:
        for n in range(0, 8):
            fd = libc.syscall(SYS_pidfd_getfd, pfd, n, 0)
            if fd >= 0:
                os.close(fd)
            if fd >= 0 or ctypes.get_errno() not in denied:
                hits.append("%d pidfd_getfd %d" % (pid, n))
        os.close(pfd)
    local, remote = iovec(ctypes.addressof(buf), 16), iovec(0x10000, 16)
    if (libc.syscall(SYS_process_vm_readv, pid, ctypes.byref(local), 1,
                     ctypes.byref(remote), 1, 0) >= 0
            or ctypes.get_errno() not in denied):
        hits.append("%d process_vm_readv" % pid)
me = os.getpid()
while not stop:
    for e in os.listdir("/proc"):
        if not e.isdigit() or int(e) == me:
            continue
        try:
            with open("/proc/%s/comm" % e) as f:
                if f.read().strip() != "jitlogview":
                    continue
        except OSError:
            continue
        seen.add(int(e))
        attack(int(e))
print("seen %d" % len(seen))
for h in sorted(set(hits)):
    print("HIT " + h)
EOF
chmod 0644 "$T/probe.py"

step "the caller pokes every viewer process, from exec to exit ($VIEWS views)"
as_bg "$ALICE" "$PY" "$T/probe.py" >"$T/ps/probe.out" 2>"$T/ps/probe.err"
probe=$BGPID
# Two followers live through the whole run; plain views come and go.
followers=()
for i in 1 2; do
	as_bg "$ALICE" "$JITLOGVIEW" -f app-debug >"$T/ps/f$i.out" 2>&1
	followers+=("$BGPID")
done
workers=()
for w in 1 2; do
	# shellcheck disable=SC2016 # expanded by the inner bash
	as_bg "$ALICE" /bin/bash -c '
	    for ((i = 0; i < $1; i++)); do
		    "$2" app-debug || echo "exit $?" >&2
	    done >/dev/null' _ $((VIEWS / 2)) "$JITLOGVIEW" 2>"$T/ps/w$w.err"
	workers+=("$BGPID")
done
for p in "${workers[@]}"; do
	wait "$p"
done
for p in "${followers[@]}"; do
	kill -TERM "$p" 2>/dev/null
	{ wait "$p"; } 2>/dev/null
done
kill -TERM "$probe"
wait "$probe"
# shellcheck disable=SC2034 # what fail() shows
LAST="probe.py" RC=0 OUT=$(cat "$T/ps/probe.out") ERR=$(cat "$T/ps/probe.err")
echo "  $(head -n 1 "$T/ps/probe.out") viewer processes poked"
assert_match "$OUT" '^seen [1-9]' "the probe saw viewer processes"
assert_no_match "$OUT" 'HIT' "what the caller could do to a viewer process"
assert_eq "$(cat "$T"/ps/w?.err)" "" "views that failed during the probe"
assert_eq "$(sql 'select count(*) from views where closed_at = 0')" 0 \
    "views left open"

step "the caller kills its streamer: exit 3, the view closed, no core"
rm -f /core /core.*
for sig in KILL SEGV ABRT; do
	as_bg "$ALICE" "$JITLOGVIEW" -f app-debug >"$T/k.out" 2>"$T/k.err"
	mon=$BGPID
	str=
	for ((i = 0; i < 100; i++)); do
		str=$(children "$mon")
		[ -n "$str" ] && grep -q 'app line 3' "$T/k.out" && break
		sleep 0.1
	done
	[ -n "$str" ] || fail "no streamer"
	# The streamer is the caller's: it may try to raise its core limit
	# (the monitor made the hard limit 0) ...
	as "$ALICE" prlimit --pid "$str" --core=unlimited:unlimited 2>/dev/null
	as "$ALICE" prlimit --pid "$str" --core=0:0 2>/dev/null
	as "$ALICE" kill -"$sig" "$str" || fail "the caller cannot signal its streamer"
	wait_gone "$mon" 100 || fail "the monitor did not end when its streamer died"
	wait "$mon"
	rc=$?
	assert_eq "$rc" 3 "exit status when the streamer died of SIG$sig"
	assert_contains "$(cat "$T/k.err")" "output process" "stderr (SIG$sig)"
	assert_eq "$(cat "$T/k.out")" "$FULL" "output before SIG$sig"
done
assert_eq "$(sql 'select count(*) from views where closed_at = 0')" 0 \
    "views left open"
# ... but it is not dumpable: no core anywhere (core_pattern is
# $(cat /proc/sys/kernel/core_pattern)).
cores=$(find / "$ahome" -maxdepth 1 -name 'core*' -newer "$T/probe.py" 2>/dev/null)
[ -z "$cores" ] || fail "core files written: $cores"
audit_all
jq_true "$A" '[.[] | select(.event == "view_close") | .detail.end] |
    map(select(. == "error")) | length >= 3'
store_sound

step "^Z in a real terminal does not hold a view past its grant"
expect 0 as "$ALICE" "$JITADM" revoke "$long"
req "$ALICE" app-debug --reason "tmux" --duration 6s
expect 0 as "$BOB" "$JITADM" approve "$ID"
short=$ID
end=$(($(date +%s) + 6))
term_start "$ALICE"
term_keys "$JITLOGVIEW -f app-debug; echo \"EXIT=\$?\"" Enter
term_wait 'app line 3' 50
term_keys C-z
sleep 1
term_keys C-z
term_wait 'EXIT=[0-9]'
assert_contains "$PANE" "grant $short ended (expired)" "the pane"
assert_contains "$PANE" "EXIT=4" "the pane"
assert_not_contains "$PANE" "Stopped" "the pane"
[ "$(date +%s)" -le $((end + 5)) ] || fail "the view outlived its grant by more than 5 s"
store_sound
