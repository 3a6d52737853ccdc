/* SPDX-License-Identifier: ISC */
/*
 * Administration: check-config validates a configuration file without
 * using it (a FILE other than the compiled-in one only for root, so that
 * the group privilege never reads a file the caller names), and init,
 * for root only, creates the store or migrates it to the current schema.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jitadm.h"

/* "FILE: ok" (exit 0) or the first problem, "file:line: what" (exit 3). */
int
ja_cmd_check_config(struct ja *ja, const struct ja_args *a)
{
	struct jl_config *cfg = NULL;
	struct jl_error err = { "" };
	struct jl_buf b = { NULL, 0, 0 };
	const char *path = ja->config_path;
	int r;

	if (a->npos == 1) {
		if (getuid() != 0) {
			ja_err("check-config FILE is only for root");
			return JA_USAGE;
		}
		path = a->pos[0];
	}
	if (jl_config_load(path, 0, &cfg, &err) < 0) {
		ja_err("%s", err.msg);
		return JA_ERROR;
	}
	jl_config_free(cfg);
	r = ja_esc(&b, path);
	if (r == 0)
		r = jl_buf_puts(&b, ": ok\n");
	r = r < 0 ? JA_ERROR : ja_write(&b);
	jl_buf_free(&b);
	return r;
}

/* Create or migrate the store at the configured path (root only). */
int
ja_cmd_init(struct ja *ja, const struct ja_args *a)
{
	struct jl_error err = { "" };
	struct jl_buf b = { NULL, 0, 0 };
	int from, now, r;

	(void)a;
	if (getuid() != 0) {
		ja_err("init is only for root");
		return JA_REFUSED;
	}
	if (ja->gid == (gid_t)-1) {
		ja_err("group %s does not exist (groupadd --system %s)",
		    JL_GROUP, JL_GROUP);
		return JA_ERROR;
	}
	from = jl_store_init(ja->cfg->database, ja->gid, &err);
	if (from < 0)
		return ja_result(from, &err);
	now = jl_store_schema_version();
	r = ja_esc(&b, ja->cfg->database);
	if (r == 0 && from == 0)
		r = jl_buf_printf(&b, ": created (schema %d)\n", now);
	else if (r == 0 && from == now)
		r = jl_buf_printf(&b, ": up to date (schema %d)\n", now);
	else if (r == 0)
		r = jl_buf_printf(&b, ": migrated from schema %d to %d\n", from,
		    now);
	r = r < 0 ? JA_ERROR : ja_write(&b);
	jl_buf_free(&b);
	return r;
}
