/*
 * translate: the in-process conversion of one call (see translate.h).
 */
#include "translate.h"

#include <stdlib.h>
#include <string.h>

#include <libxslt/transform.h>
#include <libxslt/xsltutils.h>

#include "stylegen.h"

/* Run `style` over `doc` with the snapshot's security preferences and a
 * fresh extension-function context; the caller owns the result document
 * and the warnings left in *fctx. */
static xmlDocPtr runStylesheet(const struct confdir *cd,
                               xsltStylesheetPtr style, xmlDocPtr doc,
                               struct xsltfunc_context *fctx,
                               struct sb_error *err, const char *code)
{
    xsltTransformContextPtr t = xsltNewTransformContext(style, doc);
    if (!t) {
        error_set(err, "internal", "out of memory");
        return NULL;
    }
    xsltSetCtxtSecurityPrefs(cd->security, t);
    fctx->tables = cd->tables;
    fctx->zones = cd->zones;
    xsltfunc_attach(t, fctx);
    xmlDocPtr out = xsltApplyStylesheetUser(style, doc, NULL, NULL, NULL, t);
    int failed = !out || t->state != XSLT_STATE_OK;
    xsltFreeTransformContext(t);
    if (failed) {
        if (out)
            xmlFreeDoc(out);
        error_set(err, code, "stylesheet failed%s%s",
                  fctx->n_warnings ? ": " : "",
                  fctx->n_warnings ? fctx->warnings[fctx->n_warnings - 1]
                                   : "");
        return NULL;
    }
    return out;
}

struct envelope_request translate_envelope_request(
    const struct capability *cap, const struct envelope_security *security)
{
    struct envelope_request req = {
        .version = cap->soap_version == 12 ? ENVELOPE_SOAP12 : ENVELOPE_SOAP11,
        .soap_action = cap->operation->soap_action
                           ? cap->operation->soap_action : "",
        .security = security,
    };
    return req;
}

char *translate_request(const struct confdir *cd, const struct capability *cap,
                        const char *json, size_t json_len,
                        const struct translate_limits *limits,
                        const struct envelope_security *security,
                        size_t *len, struct sb_error *err)
{
    struct xsltfunc_context fctx = {0};
    char *envelope = NULL;
    xmlDocPtr body = NULL;
    xmlDocPtr input = jsonxml_from_json(json, json_len,
                                        limits ? &limits->json : NULL, err);
    if (!input)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(input);
    if (!root || !xmlStrEqual(root->name, BAD_CAST "map")) {
        error_set(err, "invalid_input", "request body must be a JSON object");
        goto out;
    }
    if (cap->mapping && mapping_validate_input(cap->mapping, root, err) < 0)
        goto out;
    fctx.tables = cd->tables;
    fctx.zones = cd->zones;
    struct envelope_request req = translate_envelope_request(cap, security);
    if (cap->native && native_writes_request(cap->native)) {
        struct strbuf text;
        strbuf_init(&text);
        if (envelope_open(&req, &text, err) < 0 ||
            native_request(cap->native, root, &fctx, &req, &text, err) < 0)
            strbuf_free(&text);
        else
            envelope = envelope_close(&text, len, err);
        goto out;
    }
    if (!(body = runStylesheet(cd, cap->request, input, &fctx, err,
                               "internal")))
        goto out;
    envelope = envelope_build(&req, body, len, err);
out:
    xsltfunc_context_clear(&fctx);
    if (body)
        xmlFreeDoc(body);
    xmlFreeDoc(input);
    return envelope;
}

static int isStylegen(xmlNodePtr node, const char *name)
{
    return node && node->ns &&
           xmlStrEqual(node->ns->href, BAD_CAST STYLEGEN_NS) &&
           xmlStrEqual(node->name, BAD_CAST name);
}

static xmlNodePtr firstElement(xmlNodePtr node)
{
    for (node = node ? node->children : NULL; node; node = node->next)
        if (node->type == XML_ELEMENT_NODE)
            return node;
    return NULL;
}

/* Turn the response stylesheet's output into the result. */
static int readOutput(xmlDocPtr out, struct translate_result *result,
                      struct sb_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(out);
    if (isStylegen(root, "bad-response")) {
        xmlChar *reason = xmlGetProp(root, BAD_CAST "reason");
        error_set(err, "upstream_bad_response", "%s",
                  reason ? (const char *)reason : "unexpected response");
        xmlFree(reason);
        return -1;
    }
    if (isStylegen(root, "fault")) {
        result->fault = 1;
        root = firstElement(root);
    }
    if (!root)
        return error_set(err, "upstream_bad_response",
                         "the response stylesheet produced no data");
    result->json = jsonxml_to_json(root, &result->len, err);
    return result->json ? 0 : -1;
}

int translate_response(const struct confdir *cd, const struct capability *cap,
                       const char *data, size_t len, const char *content_type,
                       const struct translate_limits *limits,
                       struct translate_result *result, struct sb_error *err)
{
    struct xsltfunc_context fctx = {0};
    int rc = -1;
    memset(result, 0, sizeof(*result));
    if (!cap->response)
        return error_set(err, "internal", "%s is one-way: no response",
                         cap->name);
    fctx.tables = cd->tables;
    fctx.zones = cd->zones;
    if (cap->native)
        rc = native_response(cap->native, data, len, content_type,
                             limits ? &limits->xml : NULL, &fctx,
                             &result->json, &result->len, err);
    if (!cap->native || rc == 1) {
        rc = -1;
        xmlDocPtr doc = envelope_parse(data, len, content_type,
                                       limits ? &limits->xml : NULL, err);
        if (!doc)
            return -1;
        xmlDocPtr out = runStylesheet(cd, cap->response, doc, &fctx, err,
                                      "upstream_bad_response");
        if (out) {
            rc = readOutput(out, result, err);
            xmlFreeDoc(out);
        }
        xmlFreeDoc(doc);
    }
    for (size_t i = 0; i < fctx.n_warnings; i++) {
        result->warnings[i] = fctx.warnings[i];
        fctx.warnings[i] = NULL;
    }
    result->n_warnings = fctx.n_warnings;
    fctx.n_warnings = 0;
    xsltfunc_context_clear(&fctx);
    if (rc < 0)
        translate_result_clear(result);
    return rc;
}

void translate_result_clear(struct translate_result *result)
{
    free(result->json);
    for (size_t i = 0; i < result->n_warnings; i++)
        free(result->warnings[i]);
    memset(result, 0, sizeof(*result));
}
