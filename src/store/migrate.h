/* migrate.h - the schema migrations compiled into the binaries.
 *
 * src/sql/NNN_name.sql files become `migrations[]` (see src/sql/embed.sh).
 * migrate_run applies, in order, each one not yet recorded in
 * tenantry.schema_migrations, each in its own transaction, under an
 * advisory lock so concurrent runs wait for each other.
 */
#ifndef TENANTRY_MIGRATE_H
#define TENANTRY_MIGRATE_H

#include <libpq-fe.h>

#include "core/err.h"

struct migration {
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int migration_count;

/* Applies what is missing. *applied = how many were applied now (may be
 * NULL). The connection must be a role allowed to create roles and the
 * extension (a superuser or the database owner with CREATEROLE). */
int migrate_run(PGconn *c, int *applied, struct err *e);

#endif
