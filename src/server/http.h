/* http.h - starting the HTTP daemon (http.c). */
#ifndef TENANTRY_HTTP_H
#define TENANTRY_HTTP_H

#include <sys/socket.h>

#include "core/err.h"

struct MHD_Daemon;

/* Listens on addr with server_cfg's limits; NULL with e on failure. */
struct MHD_Daemon *http_start(const struct sockaddr *addr, struct err *e);
/* The port actually bound (for --listen HOST:0). */
int http_port(struct MHD_Daemon *d);

#endif
