/* SPDX-License-Identifier: ISC */
/*
 * Internal interface between the parts of the configuration loader:
 * config.c (file checks, text screening, top level), config_check.c
 * (typed getters, value checks, redaction rules, freeing) and
 * config_resource.c (resources).  Not installed, not used outside them.
 */
#ifndef JITLOG_CONFIG_INT_H
#define JITLOG_CONFIG_INT_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#include "jitlog/config.h"

/* What the walk over the libconfig tree needs. */
struct jl_cctx {
	const char *name; /* file name for messages */
	const char *text; /* the text parsed, to place list elements */
	struct jl_error *err;
	struct jl_config *cfg; /* being filled */
};

/* Checks one string element of a list; 0 or -EINVAL with the message. */
typedef int (*jl_cc_check_fn)(struct jl_cctx *p, const config_setting_t *e,
    const char *key);

/* "name:line: message" for setting s (or its nearest numbered parent). */
int jl_cc_fail(struct jl_cctx *p, const config_setting_t *s, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* Every member of group g must be one of keys (NULL-terminated). */
int jl_cc_check_keys(struct jl_cctx *p, const config_setting_t *g,
    const char *what, const char *const keys[]);
/* Member key of g (NULL when absent); an error when not of type. */
int jl_cc_member(struct jl_cctx *p, const config_setting_t *g, const char *key,
    int type, const char *what, const config_setting_t **ret);
/* Copy the string value of s. */
int jl_cc_strdup(struct jl_cctx *p, const config_setting_t *s, char **ret);
/* An absolute, normalised path; wildcards only when wild. */
int jl_cc_path(struct jl_cctx *p, const config_setting_t *s, const char *key,
    bool wild);
/* A list of principals; *out untouched and *ret_s NULL when absent. */
int jl_cc_principals(struct jl_cctx *p, const config_setting_t *g,
    const char *key, struct jl_principals *out, const config_setting_t **ret_s);
/* A duration string; *ret untouched and *ret_s NULL when absent. */
int jl_cc_duration(struct jl_cctx *p, const config_setting_t *g,
    const char *key, int64_t *ret, const config_setting_t **ret_s);
/* s made safe to quote in a message (printable ASCII, cut at 40 bytes). */
const char *jl_cc_quote(const char *s, char *buf, size_t len);
/* Element checks for jl_cc_strings. */
int jl_cc_check_wild_path(struct jl_cctx *p, const config_setting_t *e,
    const char *key);
int jl_cc_check_principal(struct jl_cctx *p, const config_setting_t *e,
    const char *key);
int jl_cc_check_redact_name(struct jl_cctx *p, const config_setting_t *e,
    const char *key);
/* A list of strings, each passing check (may be NULL); *ret_s NULL when
 * absent and then *ret_v, *ret_n untouched. */
int jl_cc_strings(struct jl_cctx *p, const config_setting_t *g, const char *key,
    jl_cc_check_fn check, char ***ret_v, size_t *ret_n,
    const config_setting_t **ret_s);
/* Replace *v (n entries) with a copy of the n strings of src. */
int jl_cc_set_strv(struct jl_cctx *p, char ***v, size_t *nv,
    const char *const *src, size_t n);
void jl_cc_free_strv(char **v, size_t n);
/* A boolean member; *ret untouched and *ret_s NULL when absent. */
int jl_cc_bool(struct jl_cctx *p, const config_setting_t *g, const char *key,
    bool *ret, const config_setting_t **ret_s);
/* A list of groups (or an empty []); *ret NULL when absent. */
int jl_cc_groups(struct jl_cctx *p, const config_setting_t *root,
    const char *key, const config_setting_t **ret);
/* redaction_rules and resources of the root group. */
int jl_cc_rules(struct jl_cctx *p, const config_setting_t *root);
int jl_cc_resources(struct jl_cctx *p, const config_setting_t *root);

#endif
