/*
 * The JUnit/ArchUnit reader (and so the XML reader under it) over arbitrary
 * bytes, against a rule set that maps one test name and one rule id. Beyond
 * "no crash, no leak": a failed parse leaves no findings behind, and every
 * finding has a check id and a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gate/inputs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_rule r[2];
    struct sg_ruleset set = {r, 2, NULL, NULL};
    struct sg_findings f = SG_FINDINGS_INIT;
    struct rig_err err = RIG_ERR_INIT;
    int rc;

    memset(r, 0, sizeof(r));
    r[0].id = (char *)"RULE-ARCH-001";
    r[0].json = json_loads("{\"ci_info\": {\"archunit_rule\": {\"test_name\": \"layers\"}}}", 0,
                           NULL);
    r[1].id = (char *)"RULE-ARCH-002";
    rc = sg_junit_parse("fuzz.xml", (const char *)data, size, &set, NULL, &f, &err);
    if (rc < 0 && (f.n || f.nerr))
        abort();
    for (size_t i = 0; i < f.n; i++) {
        if (!f.items[i].check_id || !f.items[i].message)
            abort();
    }
    sg_findings_release(&f);
    json_decref(r[0].json);
    return 0;
}
