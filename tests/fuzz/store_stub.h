/* store_stub.h - a store without a database for the fuzz targets
 * (store_stub.c). */
#ifndef TENANTRY_STORE_STUB_H
#define TENANTRY_STORE_STUB_H

#include <stdbool.h>

#include "store/store.h"

/* Makes st a store whose operations return empty results or errors. */
void store_stub_init(struct store *st);
/* False when store.h has gained an operation the stub does not fill. */
bool store_stub_complete(void);

#endif
