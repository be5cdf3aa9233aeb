/* DesignRuleSpec loader on arbitrary bytes: never crashes, never leaks, and a
 * set that loads can be looked up by every rule id it holds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gate/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_ruleset set;
    struct rig_errlist errs = RIG_ERRLIST_INIT;

    memset(&set, 0, sizeof(set));
    if (sg_ruleset_load_string("fuzz.json", (const char *)data, size, &set, &errs) == 0) {
        for (size_t i = 0; i < set.n; i++)
            if (sg_ruleset_find(&set, set.rules[i].id) == NULL)
                abort();
    }
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    return 0;
}
