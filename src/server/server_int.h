#ifndef RIG_SERVER_SERVER_INT_H
#define RIG_SERVER_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "server/pool.h"
#include "server/webhook.h"

/* Internals shared by webhook.c (HTTP) and dispatch.c (what a delivery does). */

struct MHD_Daemon;

struct rig_server {
    const struct rig_config *cfg;
    struct rig_wiring *w;
    struct rig_store *st;
    struct rig_server_opts o;
    char *secret;
    char *self_login;
    struct rig_pool *pool;
    struct MHD_Daemon *mhd;
    int port;
    /* Deliveries are decided one at a time: record, coalesce, submit. */
    pthread_mutex_t intake_mu;
    atomic_bool draining;
    atomic_size_t body_bytes; /* request bodies buffered right now, all connections */
};

/* An HTTP answer: status and a JSON body (malloc'd). */
struct srv_reply {
    unsigned status;
    char *body;
};

/*
 * Everything after the signature: validate the headers, decide
 * (rig_intake_parse), record the delivery, coalesce or submit and queue.
 * body is the JSON payload. Fills r.
 */
void srv_handle_delivery(struct rig_server *s, const char *event, const char *delivery,
                         const char *body, size_t len, struct srv_reply *r);

/* Startup: list and mark the tasks a dead process left running (interrupted),
 * and queue the tasks an earlier run left queued. */
int srv_recover(struct rig_server *s, struct rig_err *err);

/* r = {"error": msg} with status. */
void srv_reply_error(struct srv_reply *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
