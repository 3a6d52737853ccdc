# SPDX-License-Identifier: ISC
#
# bench/rules/redact.sed: jitlog's default redaction rules (lib/
# redact_rules.c) as far as GNU sed -E (POSIX ERE) can say them, for the
# throughput comparison of bench/README.md:
#
#     sed -E -f bench/rules/redact.sed FILE
#
# Where sed cannot follow (see also the README's table of differences):
#  - card-number: no Luhn check in a regular expression: every run of
#    13-19 digits (single spaces or dashes between) is taken for a card;
#  - no lookbehind or lookahead: "not preceded by X" is (^|[^X]) captured
#    and put back, "not followed by" is [^X] or $ put back, so two secrets
#    that share a single separator byte are not both seen in one pass;
#  - rules run one after the other over the line, each seeing the text the
#    rules before it wrote; jitlog matches every rule against the original
#    line and merges the spans.  The order below keeps the differences
#    small (url-credentials before email, jwt before secret-assignment),
#    and values that a rule before already redacted are left alone;
#  - email: the user info of a URL (ssh://git@host.example.com) is taken
#    for an email, jitlog knows it is not;
#  - bearer keeps the blanks after the word as they were, as jitlog does.
# ERE has neither possessive nor lazy repeats: GNU sed's matcher is a DFA
# where it can be, so these patterns are linear there too.

# url-credentials: scheme://user:PASS@ -> only PASS
s#(^|[^A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*://[^[:space:]:/?#]*:)[^[:space:]/?#]+@#\1\2[REDACTED:url-credentials]@#g

# jwt
s/(^|[^A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|\.[A-Za-z0-9_-]+)(\.[A-Za-z0-9_-]*)*/\1[REDACTED:jwt]/g

# bearer: the word stays, the token goes
s#\b(bearer[ 	]+)[A-Za-z0-9._~+/-]+=*#\1[REDACTED:bearer]#gI

# aws-access-key
s/(^|[^A-Z0-9])(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}([^A-Z0-9]|$)/\1[REDACTED:aws-access-key]\3/g

# card-number (no Luhn check: see above)
s/(^|[^0-9A-Za-z])[0-9]([ -]?[0-9]){12,18}([^0-9A-Za-z]|$)/\1[REDACTED:card-number]\3/g

# secret-assignment: the key, =/:/=>/:=, then "value", 'value' or value
s/((pass(word|wd)|pwd|secret|token|api[_-]?key|access[_-]?key)(\\?["'])?[ 	]*(:=|=>|[:=])[ 	]*")([^"\\]|\\.)+("|$)/\1[REDACTED:secret-assignment]\7/gI
s/((pass(word|wd)|pwd|secret|token|api[_-]?key|access[_-]?key)(\\?["'])?[ 	]*(:=|=>|[:=])[ 	]*')([^'\\]|\\.)+('|$)/\1[REDACTED:secret-assignment]\7/gI
s/((pass(word|wd)|pwd|secret|token|api[_-]?key|access[_-]?key)(\\?["'])?[ 	]*(:=|=>|[:=])[ 	]*)([^][:space:],;&"'[][^[:space:],;&]*)/\1[REDACTED:secret-assignment]/gI

# email
s/(^|[^A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+('[A-Za-z0-9._%+-]+)*@([A-Za-z0-9-]+\.)+[A-Za-z]{2,63}([^A-Za-z0-9-]|$)/\1[REDACTED:email]\4/g
