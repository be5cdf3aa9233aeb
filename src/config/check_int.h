#ifndef RIG_CONFIG_CHECK_INT_H
#define RIG_CONFIG_CHECK_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "config/config_int.h"

/* Helpers shared by check.c and check_wf.c. */

/* base + formatted tail, malloc'd: ck_ptr("/test", "/%zu/name", i). */
char *ck_ptr(const char *base, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Present in the file with a non-null value. */
bool ck_given(json_t *root, const char *ptr);
bool ck_given_at(json_t *root, const char *base, const char *key);
/* Given and read without error: the stored value is the file's. */
bool ck_ok(struct cfg_walk *w, json_t *root, const char *ptr);
bool ck_ok_at(struct cfg_walk *w, json_t *root, const char *base, const char *key);
void ck_only_for(struct cfg_walk *w, json_t *root, const char *base, const char *const *keys,
                 const char *what);
bool ck_http_url(const char *u);
void ck_url(struct cfg_walk *w, const char *ptr, const char *url);

void ck_source(struct cfg_walk *w, json_t *root, const char *base, struct rig_source_config *s);
void ck_deploy(struct cfg_walk *w, json_t *root, const char *base, struct rig_deploy_config *d);
void ck_tests(struct cfg_walk *w, const char *list_ptr, const struct rig_test_config *t,
              size_t n);

void ck_workflow(struct cfg_walk *w, json_t *root);
void ck_notify(struct cfg_walk *w, json_t *root);
void ck_policies(struct cfg_walk *w, json_t *root);
void ck_server_git(struct cfg_walk *w, json_t *root);

#endif
