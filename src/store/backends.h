#ifndef RIG_STORE_BACKENDS_H
#define RIG_STORE_BACKENDS_H

/* Constructors of the storage backends, called by rig_store_open (store.c)
 * once it has decided which backend a URL names. */

#include "store/store.h"

/* path: a file path, already "~"-expanded. */
int rig_store_sqlite_open(const char *path, struct rig_store **out, struct rig_err *err);

#endif
