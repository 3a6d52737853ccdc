#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""bench/load/load.py: jitlog under contention (the hardening issue's load
test).  CLIENTS threads run for SECONDS against one store, each picking its
next operation at random and running it as a fresh process, as real users:

  request   an engineer: jitadm request load-app --reason ... --duration 1h
  approve   a lead approves a pending request (another lead may win: exit 1)
  deny      a lead denies one (exit 1 if another decision won)
  revoke    an engineer revokes one of the grants asked for during the run
  list      anyone: jitadm list --json
  pam       pamtester SERVICE ENGINEER acct_mgmt open_session close_session
            (the installed pam_jitlog.so; every engineer holds a grant)
  view      an engineer: jitlogview load-app (must show the whole log)

A failure is anything but success or a documented refusal (exit 1 of a
decision another client already took, of a revoke of a grant no longer
active): any other exit status, a partial view, a PAM denial of a user
who holds a grant, a timeout, a signal, and any "locked", "busy" or
"SQLITE" text reaching a user.  Afterwards: PRAGMA integrity_check, jitadm
audit verify, every grant in the state its audit events say, every view
and PAM session closed.  Reported: per operation count, refusals,
failures, p50, p99 and max latency (wall time of the process) and its CPU
time.

The clients themselves are loadgen.c, compiled here with cc: Python
threads, and setpriv(1) started before each program to become the user,
took a third of the two CPUs they were measuring.  loadgen forks, and its
child changes to the user before it executes the program.

Exit: 0 no failure and every p99 <= --goal-ms; 1 no failure but a p99
over the goal; 3 a failure or a broken store; 2 usage; 77 not root.
Run as root; bench/load/run.sh installs a build and calls this.
"""
import argparse
import json
import os
import pwd
import secrets
import sqlite3
import subprocess
import sys
import tempfile

OPS = {"request": 20, "approve": 14, "deny": 3, "revoke": 3, "list": 20,
       "pam": 20, "view": 20}
HERE = os.path.dirname(os.path.abspath(__file__))
LOG_TEXT = "".join("load line %d: order=%d status=ok\n" % (i, 1000 + i)
                   for i in range(200)) + "db password=hunter2 retry\n"


def die(msg, code=3):
    print("load.py: " + msg, file=sys.stderr)
    sys.exit(code)


def run(cmd, check=True, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       **kw)
    if check and p.returncode != 0:
        die("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                 p.stderr.decode(errors="replace")[:500]))
    return p


class Setup:
    """Users, groups, config, log, store and PAM service of one run."""

    def __init__(self, a):
        self.a = a
        self.tag = "jlld" + secrets.token_hex(2)
        self.eng = ["%se%02d" % (self.tag, i) for i in range(a.engineers)]
        self.leads = ["%sl%d" % (self.tag, i) for i in range(a.leads)]
        self.groups = [self.tag + "eng", self.tag + "lead"]
        self.users = []
        self.made_groups = []
        self.logdir = os.path.join(a.logroot, "load-" + self.tag)
        self.log = os.path.join(self.logdir, "app.log")
        self.service = "jitlog-load-" + self.tag
        self.pamfile = os.path.join("/etc/pam.d", self.service)
        self.creds = {}

    def make(self):
        for g in self.groups:
            run(["groupadd", g])
            self.made_groups.append(g)
        for u in self.eng + self.leads:
            g = self.groups[0] if u in self.eng else self.groups[1]
            run(["useradd", "-M", "-d", "/nonexistent", "-s",
                 "/usr/sbin/nologin", "-U", "-G", g, u])
            self.users.append(u)
            pw = pwd.getpwnam(u)
            self.creds[u] = (pw.pw_uid, pw.pw_gid, os.getgrouplist(u, pw.pw_gid))
        os.makedirs(self.logdir, mode=0o755)
        with open(self.log, "w") as f:
            f.write(LOG_TEXT)
        os.chmod(self.log, 0o640)
        conf = self.a.config
        tmp = conf + ".load.tmp"
        with open(tmp, "w") as f:
            f.write('# bench/load/load.py (%s)\n'
                    'database = "%s";\nrequest_ttl = "1h";\n'
                    'resources = (\n  { name = "load-app"; paths = [ "%s" ];\n'
                    '    requesters = [ "%%%s" ]; approvers = [ "%%%s" ];\n'
                    '    max_duration = "4h"; }\n);\n'
                    % (self.tag, self.a.db, self.log, self.groups[0],
                       self.groups[1]))
        os.chown(tmp, 0, 0)
        os.chmod(tmp, 0o644)
        os.rename(tmp, conf)
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(self.a.db + suffix)
            except FileNotFoundError:
                pass
        run([self.a.jitadm, "init"])
        with open(self.pamfile, "w") as f:
            f.write("account required %s resource=load-app\n"
                    "session required %s resource=load-app\n"
                    % (self.a.pam_module, self.a.pam_module))

    def clean(self):
        for path in (self.pamfile, self.log):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        try:
            os.rmdir(self.logdir)
        except OSError:
            pass
        for u in self.users:
            run(["userdel", u], check=False)
        for g in self.made_groups:
            run(["groupdel", g], check=False)

    def as_user(self, user, cmd, timeout):
        """Run cmd as user (their uid, gid and groups), stdin closed,
        output collected; subprocess.TimeoutExpired after timeout s.  Only
        the few sequential runs that seed the store use this: the timed
        clients are loadgen's."""
        uid, gid, groups = self.creds[user]
        return subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              user=uid, group=gid, extra_groups=groups,
                              env={"PATH": "/usr/bin:/bin"}, cwd="/",
                              timeout=timeout)


class Load:
    """The timed run: loadgen (loadgen.c, compiled here) runs the clients;
    this gathers what it reports."""

    def __init__(self, a, s):
        self.a, self.s = a, s
        self.stats = {op: {"lat": [], "cpu": [], "refused": 0, "failed": 0}
                      for op in OPS}
        self.failures = []
        self.expected_view = None
        self.driver_cpu = 0.0

    def seed_grants(self):
        """Every engineer holds an approved grant for the whole run."""
        for i, u in enumerate(self.s.eng):
            p = self.s.as_user(u, [self.a.jitadm, "request", "load-app",
                                   "--reason", "standing grant for the run",
                                   "--duration", "4h"], 30)
            if p.returncode != 0:
                die("seed request: " + p.stderr.decode(errors="replace"))
            gid = p.stdout.decode().split()[0]
            lead = self.s.leads[i % len(self.s.leads)]
            p = self.s.as_user(lead, [self.a.jitadm, "approve", gid], 30)
            if p.returncode != 0:
                die("seed approve: " + p.stderr.decode(errors="replace"))
        p = self.s.as_user(self.s.eng[0], [self.a.jitlogview, "load-app"], 30)
        if p.returncode != 0 or b"load line 199" not in p.stdout or \
                b"hunter2" in p.stdout:
            die("the first view is wrong (exit %d): %r"
                % (p.returncode, p.stderr[:300]))
        self.expected_view = p.stdout

    def plan(self, work):
        """The plan file loadgen reads (loadgen.c says its format)."""
        expect = os.path.join(work, "expected-view")
        with open(expect, "wb") as f:
            f.write(self.expected_view)
        lines = ["seconds %g" % self.a.seconds, "clients %d" % self.a.clients,
                 "seed %d" % self.a.seed, "jitadm " + self.a.jitadm,
                 "jitlogview " + self.a.jitlogview,
                 "service " + self.s.service, "expect " + expect]
        lines += ["weight %s %d" % kv for kv in OPS.items()]
        for kind, users in (("eng", self.s.eng), ("lead", self.s.leads)):
            for u in users:
                uid, gid, groups = self.s.creds[u]
                lines.append("%s %s %d %d %s" % (
                    kind, u, uid, gid,
                    ",".join(str(g) for g in groups) if groups else "-"))
        path = os.path.join(work, "plan")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def go(self):
        self.seed_grants()
        with tempfile.TemporaryDirectory(prefix="jitlog-load.") as work:
            exe = os.path.join(work, "loadgen")
            run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread",
                 "-o", exe, os.path.join(HERE, "loadgen.c")])
            p = subprocess.run([exe, self.plan(work)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE,
                               timeout=self.a.seconds + 120)
        if p.returncode != 0:
            die("loadgen: exit %d: %s" % (
                p.returncode, p.stderr.decode(errors="replace")[:500]))
        took = None
        for line in p.stdout.decode().splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "op":
                op, lat, cpu, verdict = rest.split()
                st = self.stats[op]
                st["lat"].append(int(lat) / 1e6)
                st["cpu"].append(int(cpu) / 1e6)
                if verdict != "ok":
                    st[verdict] += 1
            elif kind == "fail":
                self.failures.append(rest)
            elif kind == "driver":
                cpu, took = (int(x) / 1e6 for x in rest.split())
                self.driver_cpu = cpu
        if took is None:
            die("loadgen printed no summary")
        return took


def verify(a):
    """The store after the run.  A list of problems."""
    bad = []
    con = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True, timeout=10)
    ic = con.execute("pragma integrity_check").fetchone()[0]
    if ic != "ok":
        bad.append("integrity_check: " + ic)
    open_views = con.execute(
        "select count(*) from views where closed_at = 0").fetchone()[0]
    open_sessions = con.execute(
        "select count(*) from sessions where closed_at = 0").fetchone()[0]
    con.close()
    if open_views:
        bad.append("%d views left open" % open_views)
    if open_sessions:
        bad.append("%d PAM sessions left open" % open_sessions)
    p = run([a.jitadm, "audit", "verify"], check=False)
    if p.returncode != 0:
        bad.append("audit verify: exit %d %s" % (
            p.returncode, (p.stdout + p.stderr).decode(errors="replace")[:300]))
    grants = json.loads(run([a.jitadm, "list", "--all", "--json"]).stdout)
    events = json.loads(run([a.jitadm, "audit", "--json"]).stdout)
    by = {}
    for e in events:
        if e.get("grant_id") is not None:
            by.setdefault(e["grant_id"], []).append(e["event"])
    for g in grants:
        ev = by.get(g["id"], [])

        def n(x):
            return ev.count(x)
        st = g["state"]
        ok = n("request") == 1 and n("deny") <= 1 and n("revoke") <= 1
        if st == "pending":
            ok = ok and n("approve") == 0 and n("deny") == 0
        elif st in ("active", "expired"):
            ok = ok and n("approve") == g["approvals_required"] and \
                n("deny") == 0 and n("revoke") == 0
        elif st == "denied":
            ok = ok and n("deny") == 1 and n("approve") == 0
        elif st == "revoked":
            ok = ok and n("revoke") == 1 and n("approve") == 1
        elif st == "cancelled":
            ok = ok and n("cancel") == 1 and n("approve") == 0
        if not ok:
            bad.append("grant %d is %s with events %s" % (g["id"], st, ev))
    return bad, len(events), len(grants)


def pct(xs, q):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jitadm", required=True)
    ap.add_argument("--jitlogview", required=True)
    ap.add_argument("--pam-module", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--logroot", required=True,
                    help="a root-owned directory for the run's log")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--engineers", type=int, default=16)
    ap.add_argument("--leads", type=int, default=4)
    ap.add_argument("--goal-ms", type=float, default=250)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("load.py: needs root (users, /etc/pam.d, jitadm init)")
        return 77
    if a.seconds <= 0 or a.clients < 1 or a.engineers < 1 or a.leads < 1:
        die("--seconds, --clients, --engineers and --leads must be positive",
            2)
    s = Setup(a)
    try:
        s.make()
        load = Load(a, s)
        took = load.go()
        bad, nevents, ngrants = verify(a)
    finally:
        s.clean()
    total = sum(len(st["lat"]) for st in load.stats.values())
    failed = sum(st["failed"] for st in load.stats.values())
    refused = sum(st["refused"] for st in load.stats.values())
    print("%-8s %7s %8s %7s %8s %8s %8s %8s" % (
        "op", "count", "refused", "failed", "p50 ms", "p99 ms", "max ms",
        "cpu ms"))
    over = []
    for op, st in load.stats.items():
        lat = [x * 1000 for x in st["lat"]]
        p99 = pct(lat, 0.99)
        if lat and p99 > a.goal_ms:
            over.append("%s %.0f ms" % (op, p99))
        cpu = st["cpu"]
        print("%-8s %7d %8d %7d %8.1f %8.1f %8.1f %8.1f" % (
            op, len(lat), st["refused"], st["failed"], pct(lat, 0.5), p99,
            max(lat) if lat else float("nan"),
            1000 * sum(cpu) / len(cpu) if cpu else float("nan")))
    for f in load.failures:
        print("FAILURE " + f)
    for b in bad:
        print("BROKEN " + b)
    cpu = sum(sum(st["cpu"]) for st in load.stats.values())
    print("load: %d clients, %.0f s, %d operations (%.0f/s), %d failures, "
          "%d documented refusals; CPUs used: %.1f by the processes, %.1f "
          "by this driver, of %d" % (
              a.clients, took, total, total / took, failed, refused,
              cpu / took, load.driver_cpu / took,
              os.cpu_count()))
    print("p99 ms: " + ", ".join(
        "%s %.0f" % (op, pct([x * 1000 for x in st["lat"]], 0.99))
        for op, st in load.stats.items() if st["lat"]))
    print("store: %s; %d grants, %d audit events" % (
        "integrity_check ok, audit verify ok, grants consistent, "
        "views and sessions closed" if not bad else
        "%d problems (BROKEN lines above)" % len(bad), ngrants, nevents))
    if failed or bad:
        return 3
    if over:
        print("p99 over %.0f ms (a finding): %s" % (a.goal_ms, ", ".join(over)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
