/* SPDX-License-Identifier: ISC */
/*
 * A small store for the targets that need one: the users root, daemon and
 * bin (they exist on every Debian system) and the resources "app" and
 * "other".  At now, root holds an active grant on "other" only (its
 * grants on "app" are expired and pending), daemon holds an active grant
 * on "app", and bin holds none (denied and revoked ones).  Every grant has
 * its audit events, so the chain is intact.
 */
#ifndef JITLOG_FUZZ_SEED_H
#define JITLOG_FUZZ_SEED_H

#include <stdint.h>

#include "jitlog/common.h"

/* Create the store at path (its directory must exist).  0 or -errno. */
int fz_seed_store(const char *path, int64_t now, struct jl_error *err);

/* The config text for that store, with database = path (malloc'd). */
char *fz_seed_config(const char *db_path);

#endif
