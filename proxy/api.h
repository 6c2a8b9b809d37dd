/*
 * api: the daemon's HTTP API -- the routing of every request a worker
 * receives, and the listing documents, built once at start.
 *
 *   POST /v1/capabilities/{name}              a capability call (call.h)
 *   GET  /v1/capabilities[/{name}]            descriptions with JSON Schema
 *   POST /v1/services/{service}/{operation}   a zero-config operation
 *   GET  /v1/services                         the zero-config operations
 *   GET  /healthz                             the process is alive
 *   GET  /readyz                              configuration loaded and
 *                                             every upstream answering
 *   GET  /metrics                             Prometheus text format
 */
#ifndef SB_API_H
#define SB_API_H

#include "error.h"
#include "httpserv.h"
#include "server.h"

/* The handler of every request (httpserv); arg is the struct worker. */
void api_handle(struct httpserv_request *req, void *arg);

/* Build the listing documents of a snapshot (capabilities_doc,
 * capability_docs, services_doc) from its routes. Returns 0, or -1 with
 * err; api_free_documents frees them either way. */
int api_build_documents(struct snapshot *snap, struct sb_error *err);
void api_free_documents(struct snapshot *snap);

#endif
