# SPDX-License-Identifier: ISC
#
# bench/rules/redact.pl: jitlog's default redaction rules (lib/
# redact_rules.c) for perl -p, for the throughput comparison of
# bench/README.md:
#
#     perl -p bench/rules/redact.pl FILE      (= perl -pe "$(cat ...)")
#
# PCRE2 descends from Perl's regular expressions, so the patterns are
# jitlog's own, word for word (lookbehind, possessive repeats, branch
# reset), and card-number checks Luhn inside the match as jitlog's
# callout does, backtracking to a shorter run when the check fails.
# What still differs:
#  - rules run one after the other over the line, each seeing the text
#    the rules before it wrote; jitlog matches every rule against the
#    original line and merges overlapping spans.  The order below keeps
#    that small, and a value a rule before already redacted is left
#    alone;
#  - secret-assignment and bearer go on after the end of each match;
#    jitlog looks again inside a value that swallowed the next key
#    ("password: password: x") -- rare in real logs;
#  - card-number matches may overlap in jitlog (every start is tried);
#    here the next match starts after the previous one.
# Perl's regex engine backtracks, as PCRE2 does without its JIT.

use strict;
use warnings;

sub luhn {
	my ($s) = @_;
	my ($sum, $dbl) = (0, 0);
	for my $c (reverse split //, $s) {
		next if $c !~ /[0-9]/;
		my $d = $c;
		if ($dbl) { $d *= 2; $d -= 9 if $d > 9; }
		$sum += $d;
		$dbl = !$dbl;
	}
	return $sum % 10 == 0;
}

# The match with group 1 replaced by the label (all of it when group 1
# did not take part: then nothing is a secret, the match stays).
sub group1 {
	my ($label) = @_;
	return substr($_, $-[0], $+[0] - $-[0]) if !defined $-[1];
	return substr($_, $-[0], $-[1] - $-[0]) . "[REDACTED:$label]" .
	    substr($_, $+[1], $+[0] - $+[1]);
}

# url-credentials: scheme://user:PASS@ -> only PASS
s{(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*+://[^\s:/?#]*+:((?!\[REDACTED:)[^\s/?#]+)@}
 {group1("url-credentials")}ge;

# jwt
s{(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]++\.(?:[A-Za-z0-9_-]++\.[A-Za-z0-9_-]*+|\.[A-Za-z0-9_-]++)(?:\.[A-Za-z0-9_-]*+)*+}
 {[REDACTED:jwt]}g;

# bearer: the word stays, the token goes
s{(?i:\bbearer)[ \t]++((?!\[REDACTED:)[A-Za-z0-9._~+/-]++=*+)}
 {group1("bearer")}ge;

# aws-access-key
s{(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])}
 {[REDACTED:aws-access-key]}g;

# card-number: 13-19 digits, Luhn-valid (checked inside the match)
s{(?<![0-9A-Za-z])[0-9](?:[ -]?+[0-9]){12,18}(?![0-9A-Za-z])(?(?{ luhn(substr($_, $-[0], pos() - $-[0])) })|(*FAIL))}
 {[REDACTED:card-number]}g;

# secret-assignment: the key, =/:/=>/:=, then "value", 'value' or value
s{(?i:pass(?:word|wd)|pwd|secret|token|api[_-]?key|access[_-]?key)(?:\\?["'])?+[ \t]*+(?::=|=>|[:=])[ \t]*+(?!"?'?\[REDACTED:)(?|"((?:[^"\\]++|\\.)*+)"?|'((?:[^'\\]++|\\.)*+)'?|([^\s,;&]++))}
 {length($1) ? group1("secret-assignment") : substr($_, $-[0], $+[0] - $-[0])}ge;

# email; the user info of a URL is not one, an email as its user is
s{(?|(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*+://(?:((?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++(?:'[A-Za-z0-9._%+-]++)*+@(?:[A-Za-z0-9-]++\.)+[A-Za-z]{2,63}+(?![A-Za-z0-9-]))(?=:))?[^\s/?#,;"'<>()]*@|((?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++(?:'[A-Za-z0-9._%+-]++)*+@(?:[A-Za-z0-9-]++\.)+[A-Za-z]{2,63}+(?![A-Za-z0-9-])))}
 {group1("email")}ge;
