/*
 * stylegen: the generated default stylesheets, as golden files (the text
 * `soapbridge compile` prints), and path resolution for mappings.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxslt/transform.h>
#include <libxslt/xsltutils.h>

#include "jsonxml.h"
#include "stylegen.h"
#include "suites.h"
#include "testutil.h"

static const struct {
    const char *wsdl;
    const char *operation;
    const char *golden;     /* tests/data/stylegen/NAME.{request,response}.xsl */
} operations[] = {
    {"doclit_wrapped.wsdl", "GetOrderStatus", "doclit_get_order_status"},
    {"doclit_wrapped.wsdl", "CancelOrder", "doclit_cancel_order"},
    {"rpc_literal.wsdl", "GetCustomer", "rpc_literal_get_customer"},
    {"rpc_encoded.wsdl", "ListInvoices", "rpc_encoded_list_invoices"},
    {"soap12.wsdl", "CreateTicket", "soap12_create_ticket"},
    {"import_main.wsdl", NULL, NULL},   /* every operation generates */
};

static struct wsdl *load(const char *name)
{
    char rel[256], path[4096];
    struct sb_error err;
    snprintf(rel, sizeof(rel), "tests/data/wsdl/%s", name);
    struct wsdl *w = wsdl_load(test_path(path, sizeof(path), rel), &err);
    ck_assert_msg(w != NULL, "%s: %s", name, err.message);
    return w;
}

static void checkText(const char *golden, const char *suffix, char *text)
{
    char rel[256];
    ck_assert_ptr_nonnull(text);
    snprintf(rel, sizeof(rel), "tests/data/stylegen/%s.%s.xsl", golden,
             suffix);
    ck_assert_msg(test_golden(rel, text, strlen(text)), "%s differs", rel);
    free(text);
}

START_TEST(default_stylesheets_match_golden)
{
    struct wsdl *w = load(operations[_i].wsdl);
    struct sb_error err;
    const struct wsdl_binding *b = &w->bindings[0];
    size_t generated = 0;
    for (size_t i = 0; i < b->n_operations; i++) {
        const struct wsdl_operation *op = &b->operations[i];
        if (operations[_i].operation &&
            strcmp(op->name, operations[_i].operation) != 0)
            continue;
        char *request = stylegen_request(b, op, NULL, &err);
        char *response = op->output.message
                             ? stylegen_response(b, op, NULL, &err) : NULL;
        ck_assert_msg(request != NULL, "%s: %s", op->name, err.message);
        if (operations[_i].golden) {
            checkText(operations[_i].golden, "request", request);
            checkText(operations[_i].golden, "response", response);
        } else {
            ck_assert_ptr_nonnull(strstr(request, "<sbw:body>"));
            free(request);
            free(response);
        }
        generated++;
    }
    ck_assert_uint_gt(generated, 0);
    wsdl_free(w);
}
END_TEST

START_TEST(one_way_operation_has_no_response)
{
    struct wsdl *w = load("rpc_literal.wsdl");
    struct sb_error err;
    const struct wsdl_operation *op = wsdl_find_operation(&w->bindings[0],
                                                          "Ping");
    ck_assert_ptr_nonnull(op);
    ck_assert_ptr_null(stylegen_response(&w->bindings[0], op, NULL, &err));
    ck_assert_str_eq(err.message, "operation Ping is one-way: it has no "
                                  "response");
    wsdl_free(w);
}
END_TEST

static const struct {
    int output;
    const char *path;       /* steps separated by '/' */
    const char *xpath;      /* expected, or NULL for an error */
    int repeated;
    const char *error;
} paths[] = {
    {1, "Order/OrderId", "n1:Order/n1:OrderId", 0, NULL},
    {1, "Order/Line/Sku", "n1:Order/n1:Line/n1:Sku", 1, NULL},
    {1, "Order/@currency", "n1:Order/@currency", 0, NULL},
    {1, "Order/Lines", NULL, 0,
     "no element 'Lines' in Order (known: OrderId, CustomerCode, Status, "
     "OrderDate, Total, Priority, ShipTo, Line, Comment)"},
    {1, "Ordr", NULL, 0,
     "no element 'Ordr' in GetOrderStatusResponse (known: Order)"},
    {1, "Order/@cur", NULL, 0, "no attribute 'cur' in Order"},
    {0, "OrderId", "n1:OrderId", 0, NULL},
    {0, "Order", NULL, 0,
     "no element 'Order' in GetOrderStatus (known: OrderId)"},
};

START_TEST(resolves_paths_against_the_schema)
{
    struct wsdl *w = load("doclit_wrapped.wsdl");
    const struct wsdl_binding *b = &w->bindings[0];
    struct stylegen *sg = stylegen_new(b, wsdl_find_operation(b,
                                       "GetOrderStatus"), NULL);
    struct strbuf xpath;
    struct stylegen_step step;
    struct sb_error err;
    char copy[128];
    strbuf_init(&xpath);
    snprintf(copy, sizeof(copy), "%s", paths[_i].path);
    const struct xsd_type *parent = NULL;
    int rc = 0, repeated = 0;
    for (char *save = NULL, *s = strtok_r(copy, "/", &save); s && rc == 0;
         s = strtok_r(NULL, "/", &save)) {
        if (xpath.len)
            strbuf_puts(&xpath, "/");
        rc = stylegen_resolve(sg, paths[_i].output, parent, s, &step, &xpath,
                              &err);
        repeated |= step.repeated;
        parent = step.element ? step.element->type : NULL;
    }
    if (paths[_i].xpath) {
        ck_assert_msg(rc == 0, "%s: %s", paths[_i].path, err.message);
        ck_assert_str_eq(xpath.data, paths[_i].xpath);
        ck_assert_int_eq(repeated, paths[_i].repeated);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.message, paths[_i].error);
    }
    strbuf_free(&xpath);
    stylegen_free(sg);
    wsdl_free(w);
}
END_TEST

/* The large WSDL families of tests/realwsdl: every operation's default
 * stylesheets compile, and an empty request converts into the operation's
 * body element. */
static const char *families[] = {
    "tests/realwsdl/mailbox/services.wsdl",
    "tests/realwsdl/crmpartner/partner.wsdl",
    "tests/realwsdl/camera/devicemgmt.wsdl",
    "tests/realwsdl/legacyrpc/InventoryKeeper.wsdl",
};

static int compileMessages;

static void countMessage(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
    compileMessages++;
}

/* Compile generated text; libxslt must have nothing to say about it. */
static xsltStylesheetPtr compileText(char *text)
{
    ck_assert_ptr_nonnull(text);
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "generated", NULL,
                                  XML_PARSE_NONET);
    free(text);
    ck_assert_ptr_nonnull(doc);
    compileMessages = 0;
    xsltSetGenericErrorFunc(NULL, countMessage);
    xsltStylesheetPtr style = xsltParseStylesheetDoc(doc);
    xsltSetGenericErrorFunc(NULL, NULL);
    ck_assert_ptr_nonnull(style);
    ck_assert_int_eq(style->errors, 0);
    ck_assert_int_eq(compileMessages, 0);
    return style;
}

START_TEST(large_wsdl_families_compile_and_convert)
{
    char path[4096];
    struct sb_error err;
    struct wsdl *w = wsdl_load(test_path(path, sizeof(path), families[_i]),
                               &err);
    ck_assert_msg(w != NULL, "%s: %s", families[_i], err.message);
    xmlDocPtr empty = xmlReadMemory("<fn:map xmlns:fn=\"" JSONXML_NS "\"/>",
                                    (int)strlen("<fn:map xmlns:fn=\""
                                                JSONXML_NS "\"/>"),
                                    "empty", NULL, 0);
    size_t converted = 0;
    for (size_t b = 0; b < w->n_bindings; b++) {
        const struct wsdl_binding *binding = &w->bindings[b];
        for (size_t i = 0; i < binding->n_operations; i++) {
            const struct wsdl_operation *op = &binding->operations[i];
            xsltStylesheetPtr request =
                compileText(stylegen_request(binding, op, NULL, &err));
            if (op->output.message)
                xsltFreeStylesheet(compileText(
                    stylegen_response(binding, op, NULL, &err)));
            xmlDocPtr body = xsltApplyStylesheet(request, empty, NULL);
            ck_assert_ptr_nonnull(body);
            xmlNodePtr root = xmlDocGetRootElement(body);
            ck_assert_str_eq((const char *)root->name, "body");
            if (op->style == WSDL_RPC ||
                (op->input.n_parts == 1 && op->input.parts[0]->element &&
                 op->input.parts[0]->element->type->is_complex)) {
                xmlNodePtr first = root->children;
                while (first && first->type != XML_ELEMENT_NODE)
                    first = first->next;
                ck_assert_ptr_nonnull(first);
                const char *want = op->style == WSDL_RPC
                    ? op->name : op->input.parts[0]->element->name;
                ck_assert_str_eq((const char *)first->name, want);
                converted++;
            }
            xmlFreeDoc(body);
            xsltFreeStylesheet(request);
        }
    }
    ck_assert_uint_gt(converted, 10);
    xmlFreeDoc(empty);
    wsdl_free(w);
}
END_TEST

Suite *stylegen_suite(void)
{
    Suite *s = suite_create("stylegen");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, default_stylesheets_match_golden, 0,
                        sizeof(operations) / sizeof(operations[0]));
    tcase_add_test(tc, one_way_operation_has_no_response);
    tcase_add_loop_test(tc, resolves_paths_against_the_schema, 0,
                        sizeof(paths) / sizeof(paths[0]));
    tcase_add_loop_test(tc, large_wsdl_families_compile_and_convert, 0,
                        sizeof(families) / sizeof(families[0]));
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
