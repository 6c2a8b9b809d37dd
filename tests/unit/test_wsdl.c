#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wsdl.h"
#include "suites.h"
#include "testutil.h"

#define ORDERS "urn:example:orders"

static struct wsdl *loadWsdl(const char *rel, struct sb_error *err)
{
    char path[4096];
    error_clear(err);
    return wsdl_load(test_path(path, sizeof(path), rel), err);
}

static struct wsdl *mustLoad(const char *rel)
{
    struct sb_error err;
    char buf[1024];
    struct wsdl *w = loadWsdl(rel, &err);
    ck_assert_msg(w != NULL, "%s: %s", rel,
                  error_format(&err, buf, sizeof(buf)));
    return w;
}

static const struct xsd_element *child(const struct xsd_type *t, size_t i)
{
    ck_assert_ptr_nonnull(t->content);
    ck_assert_uint_gt(t->content->n_children, i);
    ck_assert_int_eq(t->content->children[i]->kind, XSD_PARTICLE_ELEMENT);
    return t->content->children[i]->element;
}

static const struct xsd_particle *childParticle(const struct xsd_type *t,
                                                size_t i)
{
    ck_assert_uint_gt(t->content->n_children, i);
    return t->content->children[i];
}

START_TEST(document_literal_wrapped)
{
    struct wsdl *w = mustLoad("tests/data/wsdl/doclit_wrapped.wsdl");
    ck_assert_str_eq(w->target_ns, ORDERS);
    ck_assert_ptr_nonnull(strstr(w->file, "doclit_wrapped.wsdl"));
    ck_assert_uint_eq(w->n_services, 1);
    const struct wsdl_service *svc = wsdl_find_service(w, NULL);
    ck_assert_ptr_eq(svc, wsdl_find_service(w, "OrderService"));
    ck_assert_str_eq(svc->documentation, "Legacy order management.");
    const struct wsdl_port *port = wsdl_find_port(svc, NULL);
    ck_assert_str_eq(port->name, "OrderPort");
    ck_assert_str_eq(port->address, "http://localhost:8081/orders");
    const struct wsdl_binding *b = port->binding;
    ck_assert_ptr_eq(b, &w->bindings[0]);
    ck_assert_str_eq(b->name, "OrderBinding");
    ck_assert_str_eq(b->ns, ORDERS);
    ck_assert_int_eq(b->version, WSDL_SOAP11);
    ck_assert_int_eq(b->style, WSDL_DOCUMENT);
    ck_assert_str_eq(b->transport, "http://schemas.xmlsoap.org/soap/http");
    ck_assert_uint_eq(b->n_operations, 2);

    const struct wsdl_operation *op = wsdl_find_operation(b, "GetOrderStatus");
    ck_assert_str_eq(op->soap_action, "urn:example:orders/GetOrderStatus");
    ck_assert_int_eq(op->style, WSDL_DOCUMENT);
    ck_assert_str_eq(op->documentation, "Returns an order with its lines.");
    ck_assert_int_eq(op->input.use, WSDL_LITERAL);
    ck_assert_str_eq(op->input.message->name, "GetOrderStatusRequest");
    ck_assert_str_eq(op->input.message->ns, ORDERS);
    ck_assert_uint_eq(op->input.n_parts, 1);
    ck_assert_ptr_null(op->input.ns);
    ck_assert_uint_eq(op->input.n_header_parts, 0);
    const struct wsdl_part *in = op->input.parts[0];
    ck_assert_str_eq(in->name, "parameters");
    ck_assert_ptr_null(in->type);
    ck_assert_str_eq(in->element->name, "GetOrderStatus");
    ck_assert_str_eq(in->element->ns, ORDERS);
    ck_assert_str_eq(child(in->element->type, 0)->ns, ORDERS);

    ck_assert_uint_eq(op->n_faults, 1);
    ck_assert_str_eq(op->faults[0].name, "OrderFault");
    const struct xsd_element *detail = op->faults[0].message->parts[0].element;
    ck_assert_str_eq(detail->name, "OrderFault");
    ck_assert_int_eq(xsd_json_kind_of(child(detail->type, 0)->type),
                     XSD_JSON_NUMBER);

    /* The response: an order with nested address and repeated lines. */
    const struct xsd_element *resp = op->output.parts[0]->element;
    ck_assert_str_eq(resp->name, "GetOrderStatusResponse");
    const struct xsd_element *order = child(resp->type, 0);
    ck_assert_int_eq(resp->type->content->children[0]->min_occurs, 0);
    const struct xsd_type *ot = order->type;
    ck_assert_str_eq(ot->name, "Order");
    static const char *const names[] = {
        "OrderId", "CustomerCode", "Status", "OrderDate", "Total",
        "Priority", "ShipTo", "Line", "Comment"};
    ck_assert_uint_eq(ot->content->n_children, 9);
    for (size_t i = 0; i < 9; i++) {
        ck_assert_str_eq(child(ot, i)->name, names[i]);
        ck_assert_str_eq(child(ot, i)->ns, ORDERS);
    }
    const struct xsd_type *code = child(ot, 1)->type;
    ck_assert_int_eq(xsd_json_kind_of(code), XSD_JSON_STRING);
    ck_assert_str_eq(code->facets.patterns[0], "[0-9]{5}");
    const struct xsd_type *status = child(ot, 2)->type;
    ck_assert_uint_eq(status->facets.n_enumeration, 3);
    ck_assert_str_eq(status->facets.enumeration[1], "SHP");
    ck_assert_str_eq(child(ot, 3)->type->builtin, "date");
    const struct xsd_type *money = child(ot, 4)->type;
    ck_assert_str_eq(money->builtin, "decimal");
    ck_assert_int_eq(money->facets.fraction_digits, 2);
    ck_assert_int_eq(xsd_json_kind_of(child(ot, 5)->type), XSD_JSON_BOOLEAN);
    ck_assert_str_eq(child(child(ot, 6)->type, 1)->name, "City");
    ck_assert_int_eq(childParticle(ot, 7)->max_occurs, XSD_UNBOUNDED);
    ck_assert_int_eq(childParticle(ot, 7)->min_occurs, 1);
    const struct xsd_type *line = child(ot, 7)->type;
    ck_assert_str_eq(line->attributes[0]->name, "lineNo");
    ck_assert_int_eq(line->attributes[0]->required, 1);
    ck_assert_str_eq(child(line, 1)->type->builtin, "int");
    ck_assert_str_eq(child(line, 1)->type->facets.max_inclusive, "999");
    ck_assert_int_eq(child(ot, 8)->nillable, 1);
    ck_assert_int_eq(childParticle(ot, 8)->min_occurs, 0);
    ck_assert_str_eq(ot->attributes[0]->default_value, "EUR");

    op = wsdl_find_operation(b, "CancelOrder");
    ck_assert_str_eq(op->soap_action, "urn:example:orders/CancelOrder");
    ck_assert_ptr_null(op->documentation);
    ck_assert_int_eq(child(op->input.parts[0]->element->type, 1)->nillable, 1);
    ck_assert_ptr_null(wsdl_find_operation(b, "Nope"));
    ck_assert_ptr_null(wsdl_find_service(w, "Nope"));
    ck_assert_ptr_null(wsdl_find_port(svc, "Nope"));
    wsdl_free(w);
}
END_TEST

START_TEST(rpc_literal_with_header_and_http_binding_skipped)
{
    struct wsdl *w = mustLoad("tests/data/wsdl/rpc_literal.wsdl");
    ck_assert_uint_eq(w->n_bindings, 1);
    const struct wsdl_service *svc = wsdl_find_service(w, "CustomerService");
    ck_assert_uint_eq(svc->n_ports, 1);
    ck_assert_ptr_null(wsdl_find_port(svc, "CustomerHttpPort"));
    const struct wsdl_binding *b = wsdl_find_port(svc, "CustomerPort")->binding;
    ck_assert_int_eq(b->style, WSDL_RPC);

    const struct wsdl_operation *op = wsdl_find_operation(b, "GetCustomer");
    ck_assert_int_eq(op->style, WSDL_RPC);
    ck_assert_str_eq(op->soap_action, "GetCustomer");
    ck_assert_str_eq(op->input.ns, "urn:example:customers:rpc");
    ck_assert_uint_eq(op->input.n_parts, 2);
    ck_assert_str_eq(op->input.parts[0]->name, "customerId");
    ck_assert_str_eq(op->input.parts[0]->type->name, "long");
    ck_assert_ptr_null(op->input.parts[0]->element);
    ck_assert_int_eq(xsd_json_kind_of(op->input.parts[1]->type),
                     XSD_JSON_BOOLEAN);
    ck_assert_uint_eq(op->input.n_header_parts, 1);
    ck_assert_str_eq(op->input.header_parts[0]->element->name, "AuthHeader");
    /* The header's message is not the body's. */
    ck_assert_uint_eq(op->input.message->n_parts, 2);
    const struct xsd_type *cust = op->output.parts[0]->type;
    ck_assert_str_eq(cust->name, "Customer");
    /* No elementFormDefault: local elements are unqualified. */
    ck_assert_ptr_null(child(cust, 0)->ns);
    ck_assert_int_eq(xsd_json_kind_of(child(cust, 0)->type), XSD_JSON_NUMBER);

    op = wsdl_find_operation(b, "Ping");
    ck_assert_int_eq(op->style, WSDL_DOCUMENT);   /* operation overrides */
    ck_assert_str_eq(op->soap_action, "");
    ck_assert_ptr_null(op->output.message);
    ck_assert_uint_eq(op->input.n_parts, 0);
    wsdl_free(w);
}
END_TEST

START_TEST(rpc_encoded_with_soapenc_arrays)
{
    struct wsdl *w = mustLoad("tests/data/wsdl/rpc_encoded.wsdl");
    const struct wsdl_operation *op =
        wsdl_find_operation(&w->bindings[0], "ListInvoices");
    ck_assert_int_eq(op->style, WSDL_RPC);
    ck_assert_int_eq(op->input.use, WSDL_ENCODED);
    ck_assert_int_eq(op->output.use, WSDL_ENCODED);
    ck_assert_str_eq(op->input.encoding_style,
                     "http://schemas.xmlsoap.org/soap/encoding/");
    ck_assert_str_eq(op->input.ns, "urn:example:billing");
    ck_assert_str_eq(op->soap_action, "urn:example:billing#ListInvoices");
    const struct xsd_type *acct = op->input.parts[0]->type;
    ck_assert_str_eq(acct->ns, SOAP_ENCODING_NS);
    ck_assert_str_eq(acct->builtin, "string");

    const struct xsd_type *arr = op->output.parts[0]->type;
    ck_assert_str_eq(arr->name, "ArrayOfInvoice");
    ck_assert_int_eq(arr->is_soapenc_array, 1);
    ck_assert_str_eq(arr->array_item_type_ns, "urn:example:billing");
    ck_assert_str_eq(arr->array_item_type_name, "Invoice");
    const struct xsd_type *inv = arr->array_item_type;
    ck_assert_str_eq(inv->name, "Invoice");
    ck_assert_int_eq(inv->content->kind, XSD_PARTICLE_ALL);
    ck_assert_int_eq(xsd_json_kind_of(child(inv, 1)->type), XSD_JSON_NUMBER);
    ck_assert_int_eq(xsd_json_kind_of(child(inv, 2)->type), XSD_JSON_BOOLEAN);

    const struct xsd_type *strs = op->output.parts[1]->type;
    ck_assert_int_eq(strs->is_soapenc_array, 1);
    ck_assert_str_eq(strs->array_item_type_ns, XSD_NS);
    ck_assert_str_eq(strs->array_item_type->builtin, "string");
    wsdl_free(w);
}
END_TEST

START_TEST(soap12_binding)
{
    struct wsdl *w = mustLoad("tests/data/wsdl/soap12.wsdl");
    const struct wsdl_port *port = wsdl_find_port(wsdl_find_service(w, NULL),
                                                  NULL);
    ck_assert_str_eq(port->address, "http://localhost:8084/tickets");
    const struct wsdl_binding *b = port->binding;
    ck_assert_int_eq(b->version, WSDL_SOAP12);
    const struct wsdl_operation *op = wsdl_find_operation(b, "CreateTicket");
    ck_assert_str_eq(op->soap_action, "urn:example:tickets:CreateTicket");
    ck_assert_int_eq(op->input.use, WSDL_LITERAL);
    const struct xsd_type *req = op->input.parts[0]->element->type;
    ck_assert_int_eq(childParticle(req, 2)->max_occurs, 5);
    ck_assert_int_eq(childParticle(req, 2)->min_occurs, 0);
    ck_assert_str_eq(child(req, 1)->type->builtin, "token");
    const struct xsd_type *resp = op->output.parts[0]->element->type;
    ck_assert_int_eq(xsd_json_kind_of(child(resp, 0)->type), XSD_JSON_NUMBER);
    ck_assert_str_eq(child(resp, 1)->type->builtin, "dateTime");
    wsdl_free(w);
}
END_TEST

START_TEST(imports_of_wsdl_and_schemas)
{
    struct wsdl *w = mustLoad("tests/data/wsdl/import_main.wsdl");
    ck_assert_str_eq(w->target_ns, "urn:example:directory");
    const struct wsdl_operation *op =
        wsdl_find_operation(wsdl_find_port(wsdl_find_service(w, NULL), NULL)
                                ->binding,
                            "LookupParty");
    ck_assert_str_eq(op->input.message->name, "LookupPartyIn");
    const struct xsd_type *resp = op->output.parts[0]->element->type;
    const struct xsd_element *company = child(resp, 0);
    ck_assert_str_eq(company->ns, "urn:example:common");
    ck_assert_int_eq(company->is_global, 1);
    const struct xsd_type *ct = company->type;
    ck_assert_str_eq(ct->base->name, "Party");
    /* Extension: the base's sequence first, then the extension's. */
    ck_assert_int_eq(ct->content->kind, XSD_PARTICLE_SEQUENCE);
    ck_assert_uint_eq(ct->content->n_children, 2);
    ck_assert_ptr_eq(ct->content->children[0], ct->base->content);
    const struct xsd_type *base = ct->base;
    ck_assert_str_eq(child(base, 0)->name, "PartyId");
    ck_assert_ptr_null(child(base, 0)->ns);
    const struct xsd_particle *own = ct->content->children[1];
    ck_assert_str_eq(own->children[0]->element->name, "VatId");
    ck_assert_int_eq(own->children[1]->kind, XSD_PARTICLE_CHOICE);
    ck_assert_int_eq(own->children[2]->kind, XSD_PARTICLE_ANY);
    const struct xsd_element *extra = child(resp, 1);
    ck_assert_str_eq(extra->ns, "urn:example:directory");
    ck_assert_int_eq(extra->type->content->children[0]->kind,
                     XSD_PARTICLE_ANY);
    ck_assert_int_eq(extra->type->any_attribute, 1);
    wsdl_free(w);
}
END_TEST

static const struct {
    const char *rel;
    int line;
    const char *file_suffix;
    const char *message;
} errors[] = {
    {"tests/data/wsdl/broken_unknown_type.wsdl", 11,
     "broken_unknown_type.wsdl", "tns:Missing: unknown type"},
    {"tests/data/wsdl/broken_missing_include.wsdl", 10,
     "broken_missing_include.wsdl",
     "types/does-not-exist.xsd: schema file not found"},
    {"tests/data/wsdl/broken_malformed.wsdl", 16, "broken_malformed.wsdl",
     "XML syntax error: Opening and ending tag mismatch: message line 14 "
     "and mesage"},
    {"tests/data/wsdl/broken_unknown_element.wsdl", 15,
     "broken_unknown_element.wsdl", "tns:Pong: unknown element"},
    {"tests/data/wsdl/broken_unknown_porttype.wsdl", 22,
     "broken_unknown_porttype.wsdl", "tns:NoSuchPortType: unknown portType"},
    {"tests/data/wsdl/broken_unknown_binding.wsdl", 31,
     "broken_unknown_binding.wsdl", "tns:NoSuchBinding: unknown binding"},
    {"tests/data/wsdl/broken_unknown_operation.wsdl", 25,
     "broken_unknown_operation.wsdl", "Pong: operation not in the portType"},
    {"tests/data/wsdl/broken_remote_import.wsdl", 11,
     "broken_remote_import.wsdl",
     "http://example.com/remote.xsd: remote schema not in the built-in "
     "catalogue"},
    {"tests/data/wsdl/broken_missing_wsdl_import.wsdl", 8,
     "broken_missing_wsdl_import.wsdl",
     "gone.wsdl: imported file not found"},
    {"tests/data/wsdl/broken_unknown_message.wsdl", 19,
     "broken_unknown_message.wsdl", "tns:NoSuchMessage: unknown message"},
    {"tests/data/wsdl/broken_unknown_body_part.wsdl", 27,
     "broken_unknown_body_part.wsdl", "nope: no such part in the message"},
    {"tests/data/wsdl/no_such.wsdl", 0, "no_such.wsdl", "file not found"},
    {"tests/data/xsd/features.xsd", 8, "features.xsd",
     "not a WSDL 1.1 definitions element"},
};

START_TEST(load_errors_name_file_and_line)
{
    struct sb_error err;
    struct wsdl *w = loadWsdl(errors[_i].rel, &err);
    ck_assert_ptr_null(w);
    ck_assert_str_eq(err.code, "wsdl_load");
    ck_assert_str_eq(err.message, errors[_i].message);
    ck_assert_int_eq(err.line, errors[_i].line);
    size_t fl = strlen(err.file), sl = strlen(errors[_i].file_suffix);
    ck_assert_msg(fl >= sl && strcmp(err.file + fl - sl,
                                     errors[_i].file_suffix) == 0,
                  "file %s", err.file);
}
END_TEST

START_TEST(free_and_find_accept_null)
{
    wsdl_free(NULL);
    ck_assert_ptr_null(wsdl_find_service(NULL, NULL));
    ck_assert_ptr_null(wsdl_find_port(NULL, NULL));
    ck_assert_ptr_null(wsdl_find_operation(NULL, "x"));
    ck_assert_ptr_null(wsdl_load("no/such/file.wsdl", NULL));
}
END_TEST

/* ---- a large generated WSDL loads fast ---- */

#define BIG_OPS 400

static void writeBigWsdl(FILE *f)
{
    fprintf(f, "<definitions xmlns='http://schemas.xmlsoap.org/wsdl/'"
               " xmlns:soap='http://schemas.xmlsoap.org/wsdl/soap/'"
               " xmlns:xs='http://www.w3.org/2001/XMLSchema'"
               " xmlns:tns='urn:big' targetNamespace='urn:big'>\n<types>"
               "<xs:schema targetNamespace='urn:big'"
               " elementFormDefault='qualified'>\n"
               "<xs:complexType name='Common'><xs:sequence>"
               "<xs:element name='a' type='xs:string'/>"
               "<xs:element name='b' type='xs:int' maxOccurs='unbounded'/>"
               "</xs:sequence></xs:complexType>\n");
    for (int i = 0; i < BIG_OPS; i++)
        fprintf(f, "<xs:complexType name='T%d'><xs:complexContent>"
                   "<xs:extension base='tns:Common'><xs:sequence>"
                   "<xs:element name='x%d' type='xs:decimal'/>"
                   "</xs:sequence></xs:extension></xs:complexContent>"
                   "</xs:complexType>\n<xs:element name='Op%d'"
                   " type='tns:T%d'/><xs:element name='Op%dResponse'"
                   " type='tns:T%d'/>\n", i, i, i, i, i, i);
    fprintf(f, "</xs:schema></types>\n");
    for (int i = 0; i < BIG_OPS; i++)
        fprintf(f, "<message name='In%d'><part name='p' element='tns:Op%d'/>"
                   "</message><message name='Out%d'><part name='p'"
                   " element='tns:Op%dResponse'/></message>\n",
                i, i, i, i);
    fprintf(f, "<portType name='PT'>\n");
    for (int i = 0; i < BIG_OPS; i++)
        fprintf(f, "<operation name='Op%d'><input message='tns:In%d'/>"
                   "<output message='tns:Out%d'/></operation>\n", i, i, i);
    fprintf(f, "</portType><binding name='B' type='tns:PT'>"
               "<soap:binding style='document'"
               " transport='http://schemas.xmlsoap.org/soap/http'/>\n");
    for (int i = 0; i < BIG_OPS; i++)
        fprintf(f, "<operation name='Op%d'><soap:operation"
                   " soapAction='urn:big/Op%d'/><input><soap:body"
                   " use='literal'/></input><output><soap:body"
                   " use='literal'/></output></operation>\n", i, i);
    fprintf(f, "</binding><service name='S'><port name='P' binding='tns:B'>"
               "<soap:address location='http://localhost:1/'/></port>"
               "</service></definitions>\n");
}

/* Load time is measured by bench/wsdl_load_bench, never asserted here. */
START_TEST(hundreds_of_operations_load)
{
    char path[] = P_tmpdir "/sb-big-wsdl-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    writeBigWsdl(f);
    fclose(f);
    struct sb_error err;
    struct wsdl *w = wsdl_load(path, &err);
    unlink(path);
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(w->bindings[0].n_operations, BIG_OPS);
    const struct wsdl_operation *op =
        wsdl_find_operation(&w->bindings[0], "Op399");
    ck_assert_str_eq(op->soap_action, "urn:big/Op399");
    const struct xsd_type *t = op->input.parts[0]->element->type;
    ck_assert_uint_eq(t->content->n_children, 2);
    wsdl_free(w);
}
END_TEST

Suite *wsdl_suite(void)
{
    Suite *s = suite_create("wsdl");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, document_literal_wrapped);
    tcase_add_test(tc, rpc_literal_with_header_and_http_binding_skipped);
    tcase_add_test(tc, rpc_encoded_with_soapenc_arrays);
    tcase_add_test(tc, soap12_binding);
    tcase_add_test(tc, imports_of_wsdl_and_schemas);
    tcase_add_loop_test(tc, load_errors_name_file_and_line, 0,
                        sizeof(errors) / sizeof(errors[0]));
    tcase_add_test(tc, free_and_find_accept_null);
    tcase_add_test(tc, hundreds_of_operations_load);
    suite_add_tcase(s, tc);
    return s;
}
