/*
 * realwsdl: wsdl_load on large WSDLs shaped like the enterprise families
 * soapbridge meets in the field (tests/realwsdl/, made by gen.py there):
 * an Exchange-style three-file document/literal service with ~160
 * operations, a Salesforce-partner-style single file with ~110 operations
 * and fault hierarchies, an ONVIF-style SOAP 1.2 device service whose
 * schemas import and include across four files, and an Axis-1 rpc/encoded
 * service whose soapenc import comes from the built-in catalogue.
 * Load time is measured by bench/wsdl_load_bench.c, never asserted here.
 */
#include <check.h>
#include <libxml/parser.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "wsdl.h"
#include "xsd.h"

#define MAILBOX "tests/realwsdl/mailbox/services.wsdl"
#define CRM "tests/realwsdl/crmpartner/partner.wsdl"
#define CAMERA "tests/realwsdl/camera/devicemgmt.wsdl"
#define LEGACY "tests/realwsdl/legacyrpc/InventoryKeeper.wsdl"

#define MB_T "http://example.com/mailbox/2024/types"
#define MB_M "http://example.com/mailbox/2024/messages"
#define CRM_NS "urn:partner.crm.example.com"
#define CRM_SOBJ "urn:sobject.partner.crm.example.com"
#define CRM_FAULT "urn:fault.partner.crm.example.com"
#define CAM_WSDL "http://www.example.org/camera/ver10/device/wsdl"
#define CAM_TT "http://www.example.org/camera/ver10/schema"
#define CAM_EV "http://www.example.org/camera/events/b-1"
#define RPC_IMPL "urn:InventoryKeeper"
#define RPC_BEANS "http://beans.inventory.example.com"
#define RPC_SVC "http://service.inventory.example.com"
#define XML_NS "http://www.w3.org/XML/1998/namespace"

#define MAX_FLAT 64

static struct wsdl *loadFixture(const char *rel)
{
    char path[4096], msg[1200];
    struct sb_error err;
    xmlInitParser();
    struct wsdl *w = wsdl_load(test_path(path, sizeof(path), rel), &err);
    ck_assert_msg(w != NULL, "%s: %s", rel,
                  error_format(&err, msg, sizeof(msg)));
    return w;
}

static const struct xsd_type *mustType(const struct wsdl *w, const char *ns,
                                       const char *name)
{
    const struct xsd_type *t = xsd_find_type(w->schemas, ns, name);
    ck_assert_msg(t != NULL, "type {%s}%s not found", ns, name);
    return t;
}

static const struct wsdl_operation *mustOperation(const struct wsdl *w,
                                                  const char *name)
{
    const struct wsdl_service *s = wsdl_find_service(w, NULL);
    ck_assert_ptr_nonnull(s);
    const struct wsdl_port *p = wsdl_find_port(s, NULL);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(p->binding);
    const struct wsdl_operation *op = wsdl_find_operation(p->binding, name);
    ck_assert_msg(op != NULL, "operation %s not found", name);
    return op;
}

static int sameString(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Element particles of a content model, depth first, in document order:
 * the order an extension's instances must follow whatever way the model
 * nests the base's content and the extension's own. */
static size_t flattenElements(const struct xsd_particle *p,
                              const struct xsd_element **out, size_t n)
{
    if (!p)
        return n;
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        ck_assert_uint_lt(n, MAX_FLAT);
        out[n++] = p->element;
        return n;
    }
    for (size_t i = 0; i < p->n_children; i++)
        n = flattenElements(p->children[i], out, n);
    return n;
}

static const struct xsd_particle *findKind(const struct xsd_particle *p,
                                           enum xsd_particle_kind kind)
{
    if (!p)
        return NULL;
    if (p->kind == kind)
        return p;
    for (size_t i = 0; i < p->n_children; i++) {
        const struct xsd_particle *hit = findKind(p->children[i], kind);
        if (hit)
            return hit;
    }
    return NULL;
}

static const struct xsd_element *childElement(const struct xsd_type *t,
                                              const char *name)
{
    const struct xsd_element *flat[MAX_FLAT];
    size_t n = flattenElements(t->content, flat, 0);
    for (size_t i = 0; i < n; i++)
        if (strcmp(flat[i]->name, name) == 0)
            return flat[i];
    ck_abort_msg("no element %s in type %s", name, t->name);
    return NULL;
}

/* Shape of each file: counts, SOAP version, binding style, first port. */
static const struct shape_case {
    const char *rel;
    size_t services, ports, bindings, operations;
    enum wsdl_soap_version version;
    enum wsdl_style style;
    const char *target_ns, *service, *port, *address;
} shape_cases[] = {
    {MAILBOX, 1, 1, 1, 161, WSDL_SOAP11, WSDL_DOCUMENT, MB_M,
     "MailboxService", "MailboxServicePort",
     "https://mail.example.com/service/Mailbox.asmx"},
    {CRM, 1, 1, 1, 110, WSDL_SOAP11, WSDL_DOCUMENT, CRM_NS, "CrmService",
     "Soap", "https://login.crm.example.com/services/Soap/p/61.0"},
    {CAMERA, 1, 1, 1, 40, WSDL_SOAP12, WSDL_DOCUMENT, CAM_WSDL,
     "DeviceService", "DevicePort",
     "http://192.0.2.10/camera/device_service"},
    {LEGACY, 1, 1, 1, 12, WSDL_SOAP11, WSDL_RPC, RPC_IMPL,
     "InventoryKeeperService", "InventoryKeeper",
     "http://legacy.example.com:8080/axis/services/InventoryKeeper"},
};

START_TEST(shape_of_each_family)
{
    const struct shape_case *c = &shape_cases[_i];
    struct wsdl *w = loadFixture(c->rel);
    ck_assert_str_eq(w->target_ns, c->target_ns);
    ck_assert_uint_eq(w->n_services, c->services);
    ck_assert_uint_eq(w->n_bindings, c->bindings);
    const struct wsdl_service *s = wsdl_find_service(w, c->service);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_eq(s, wsdl_find_service(w, NULL));
    ck_assert_uint_eq(s->n_ports, c->ports);
    const struct wsdl_port *p = wsdl_find_port(s, c->port);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->address, c->address);
    ck_assert_ptr_eq(p->binding, &w->bindings[0]);
    ck_assert_int_eq(p->binding->version, c->version);
    ck_assert_int_eq(p->binding->style, c->style);
    ck_assert_str_eq(p->binding->transport,
                     "http://schemas.xmlsoap.org/soap/http");
    ck_assert_uint_eq(p->binding->n_operations, c->operations);
    ck_assert_ptr_null(wsdl_find_operation(p->binding, "NoSuchOperation"));
    wsdl_free(w);
}
END_TEST

/* One bound operation: style, use, action, body and header parts. */
static const struct op_case {
    const char *rel, *name;
    enum wsdl_style style;
    enum wsdl_use use;
    const char *action;
    const char *body_ns, *encoding_style;   /* input soap:body */
    size_t in_parts;
    const char *part_name, *part_ns, *part_local;  /* first input part */
    int part_is_element;
    size_t in_headers;
    const char *header_part, *header_local;   /* last input header */
    const char *header_ns;
    size_t out_parts, out_headers, faults;
    const char *first_fault;
} op_cases[] = {
    {MAILBOX, "GetItem", WSDL_DOCUMENT, WSDL_LITERAL, MB_M "/GetItem",
     NULL, NULL, 1, "request", MB_M, "GetItem", 1,
     3, "RequestVersion", "RequestedServerVersion", MB_T, 1, 1, 0, NULL},
    {MAILBOX, "PlayVoiceMessage", WSDL_DOCUMENT, WSDL_LITERAL,
     MB_M "/PlayVoiceMessage", NULL, NULL, 1, "request", MB_M,
     "PlayVoiceMessage", 1, 3, "RequestVersion", "RequestedServerVersion",
     MB_T, 1, 1, 0, NULL},
    {CRM, "query", WSDL_DOCUMENT, WSDL_LITERAL, "", NULL, NULL, 1,
     "parameters", CRM_NS, "query", 1, 4, "MruHeader", "MruHeader", CRM_NS,
     1, 0, 6, "InvalidSObjectFault"},
    {CRM, "login", WSDL_DOCUMENT, WSDL_LITERAL, "", NULL, NULL, 1,
     "parameters", CRM_NS, "login", 1, 1, "CallOptions", "CallOptions",
     CRM_NS, 1, 0, 3, "LoginFault"},
    {CRM, "mergeSharings", WSDL_DOCUMENT, WSDL_LITERAL, "", NULL, NULL, 1,
     "parameters", CRM_NS, "mergeSharings", 1, 2, "CallOptions",
     "CallOptions", CRM_NS, 1, 0, 2, "InvalidIdFault"},
    {CAMERA, "GetDeviceInfo", WSDL_DOCUMENT, WSDL_LITERAL,
     CAM_WSDL "/GetDeviceInfo", NULL, NULL, 1, "parameters", CAM_WSDL,
     "GetDeviceInfo", 1, 0, NULL, NULL, NULL, 1, 0, 0, NULL},
    {CAMERA, "SetGeoPosition", WSDL_DOCUMENT, WSDL_LITERAL,
     CAM_WSDL "/SetGeoPosition", NULL, NULL, 1, "parameters", CAM_WSDL,
     "SetGeoPosition", 1, 0, NULL, NULL, NULL, 1, 0, 0, NULL},
    {LEGACY, "findItems", WSDL_RPC, WSDL_ENCODED, "", RPC_SVC,
     SOAP_ENCODING_NS, 1, "skus", RPC_IMPL, "ArrayOf_soapenc_string", 0,
     0, NULL, NULL, NULL, 1, 0, 0, NULL},
    {LEGACY, "adjustStock", WSDL_RPC, WSDL_ENCODED, "", RPC_SVC,
     SOAP_ENCODING_NS, 3, "sku", SOAP_ENCODING_NS, "string", 0, 0, NULL,
     NULL, NULL, 1, 0, 1, "InventoryFault"},
    {LEGACY, "ping", WSDL_RPC, WSDL_ENCODED, "", RPC_SVC, SOAP_ENCODING_NS,
     0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, 1, 0, 0, NULL},
    {LEGACY, "cancelReservation", WSDL_RPC, WSDL_ENCODED, "", RPC_SVC,
     SOAP_ENCODING_NS, 1, "reservationId", SOAP_ENCODING_NS, "string", 0,
     0, NULL, NULL, NULL, 0, 0, 0, NULL},
};

static void checkFirstPart(const struct op_case *c,
                           const struct wsdl_body *in)
{
    const struct wsdl_part *part = in->parts[0];
    ck_assert_str_eq(part->name, c->part_name);
    if (c->part_is_element) {
        ck_assert_ptr_nonnull(part->element);
        ck_assert_ptr_null(part->type);
        ck_assert_str_eq(part->element->ns, c->part_ns);
        ck_assert_str_eq(part->element->name, c->part_local);
        ck_assert(part->element->is_global);
    } else {
        ck_assert_ptr_null(part->element);
        ck_assert_ptr_nonnull(part->type);
        ck_assert_str_eq(part->type->ns, c->part_ns);
        ck_assert_str_eq(part->type->name, c->part_local);
    }
}

static void checkLastHeader(const struct op_case *c,
                            const struct wsdl_body *in)
{
    const struct wsdl_part *h = in->header_parts[in->n_header_parts - 1];
    ck_assert_str_eq(h->name, c->header_part);
    ck_assert_ptr_nonnull(h->element);
    ck_assert_str_eq(h->element->ns, c->header_ns);
    ck_assert_str_eq(h->element->name, c->header_local);
}

START_TEST(bound_operation_details)
{
    const struct op_case *c = &op_cases[_i];
    struct wsdl *w = loadFixture(c->rel);
    const struct wsdl_operation *op = mustOperation(w, c->name);
    ck_assert_str_eq(op->name, c->name);
    ck_assert_int_eq(op->style, c->style);
    ck_assert_str_eq(op->soap_action, c->action);
    ck_assert_ptr_nonnull(op->input.message);
    ck_assert_int_eq(op->input.use, c->use);
    ck_assert_int_eq(op->output.use, c->use);
    ck_assert(sameString(op->input.ns, c->body_ns));
    ck_assert(sameString(op->input.encoding_style, c->encoding_style));
    ck_assert_uint_eq(op->input.n_parts, c->in_parts);
    if (c->in_parts)
        checkFirstPart(c, &op->input);
    ck_assert_uint_eq(op->input.n_header_parts, c->in_headers);
    if (c->in_headers)
        checkLastHeader(c, &op->input);
    ck_assert_ptr_nonnull(op->output.message);
    ck_assert_uint_eq(op->output.n_parts, c->out_parts);
    ck_assert_uint_eq(op->output.n_header_parts, c->out_headers);
    ck_assert_uint_eq(op->n_faults, c->faults);
    if (c->faults) {
        ck_assert_str_eq(op->faults[0].name, c->first_fault);
        ck_assert_ptr_nonnull(op->faults[0].message);
    }
    wsdl_free(w);
}
END_TEST

/* Body parts named by soap:body parts= are the only body parts, and the
 * header parts come from the same message (Exchange style). */
START_TEST(mailbox_body_and_header_parts_split)
{
    struct wsdl *w = loadFixture(MAILBOX);
    const struct wsdl_operation *op = mustOperation(w, "FindItem");
    ck_assert_uint_eq(op->input.message->n_parts, 4);
    ck_assert_str_eq(op->input.header_parts[0]->name, "ActAs");
    ck_assert_str_eq(op->input.header_parts[1]->element->name,
                     "MailboxLanguage");
    const struct wsdl_part *out = op->output.parts[0];
    ck_assert_str_eq(out->name, "FindItemResult");
    ck_assert_str_eq(out->element->ns, MB_M);
    ck_assert_str_eq(out->element->name, "FindItemResponse");
    const struct wsdl_part *sv = op->output.header_parts[0];
    ck_assert_str_eq(sv->element->name, "ServerVersionDetails");
    ck_assert_uint_eq(sv->element->type->n_attributes, 5);
    ck_assert(sv->element->type->any_attribute);
    /* The version header's only attribute is a required enumeration. */
    const struct xsd_type *rv = op->input.header_parts[2]->element->type;
    ck_assert_uint_eq(rv->n_attributes, 1);
    ck_assert_str_eq(rv->attributes[0]->name, "Version");
    ck_assert(rv->attributes[0]->required);
    ck_assert_uint_eq(rv->attributes[0]->type->facets.n_enumeration, 5);
    wsdl_free(w);
}
END_TEST

/* BaseItem -> Message -> MeetingMessage -> MeetingRequest, with a named
 * group inlined in the last step: the base's content comes first. */
static const char *const meeting_request_order[] = {
    "MimeContent", "ItemId", "ParentFolderId", "ItemClass", "Subject",
    "Sensitivity", "Body", "DateTimeReceived", "Size", "Categories",
    "Importance", "InReplyTo", "ExtendedProperty", "Culture",
    "Sender", "ToRecipients", "CcRecipients", "BccRecipients",
    "IsReadReceiptRequested", "ConversationIndex", "InternetMessageId",
    "IsRead", "From", "References",
    "AssociatedCalendarItemId", "IsDelegated", "IsOutOfDate",
    "HasBeenProcessed", "ResponseType",
    "MeetingRequestKind", "IntendedFreeBusyStatus", "Start", "End",
    "Location", "IsAllDayEvent",
};

START_TEST(mailbox_extension_content_order)
{
    struct wsdl *w = loadFixture(MAILBOX);
    const struct xsd_type *t = mustType(w, MB_T,
                                        "MeetingRequestMessageType");
    const struct xsd_type *mm = mustType(w, MB_T, "MeetingMessageType");
    ck_assert_ptr_eq(t->base, mm);
    ck_assert_ptr_eq(mm->base, mustType(w, MB_T, "MessageType"));
    const struct xsd_element *flat[MAX_FLAT];
    size_t n = flattenElements(t->content, flat, 0);
    size_t want = sizeof(meeting_request_order) /
                  sizeof(meeting_request_order[0]);
    ck_assert_uint_eq(n, want);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(flat[i]->name, meeting_request_order[i]);
        ck_assert_str_eq(flat[i]->ns, MB_T);   /* elementFormDefault */
    }
    ck_assert_ptr_eq(flat[6]->type, mustType(w, MB_T, "BodyType"));
    wsdl_free(w);
}
END_TEST

/* simpleContent with an attribute taken from the catalogue's xml: schema,
 * choice groups and the wildcard in the response message. */
START_TEST(mailbox_choice_any_and_catalogue_attribute)
{
    struct wsdl *w = loadFixture(MAILBOX);
    const struct xsd_type *body = mustType(w, MB_T, "BodyType");
    ck_assert_ptr_nonnull(body->simple_content);
    ck_assert_uint_eq(body->n_attributes, 3);
    ck_assert_str_eq(body->attributes[2]->name, "lang");
    ck_assert_str_eq(body->attributes[2]->ns, XML_NS);

    const struct xsd_type *arr = mustType(w, MB_T, "ArrayOfRealItemsType");
    const struct xsd_particle *ch = findKind(arr->content,
                                            XSD_PARTICLE_CHOICE);
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->min_occurs, 0);
    ck_assert_int_eq(ch->max_occurs, XSD_UNBOUNDED);
    ck_assert_uint_eq(ch->n_children, 10);
    ck_assert_str_eq(ch->children[3]->element->name, "MeetingRequest");
    ck_assert_ptr_eq(ch->children[3]->element->type,
                     mustType(w, MB_T, "MeetingRequestMessageType"));

    const struct xsd_type *rm = mustType(w, MB_M, "ResponseMessageType");
    const struct xsd_element *detail = childElement(rm, "DetailXml");
    const struct xsd_particle *any = findKind(detail->type->content,
                                             XSD_PARTICLE_ANY);
    ck_assert_ptr_nonnull(any);
    ck_assert_str_eq(any->any_namespace, "##any");
    ck_assert_int_eq(any->min_occurs, 0);
    ck_assert_int_eq(any->max_occurs, XSD_UNBOUNDED);

    /* The response wrapper chooses among every operation's message. */
    const struct xsd_type *all = mustType(w, MB_M,
                                          "ArrayOfResponseMessagesType");
    ck_assert_uint_eq(findKind(all->content, XSD_PARTICLE_CHOICE)
                          ->n_children, 161);
    wsdl_free(w);
}
END_TEST

/* Salesforce-partner style: sObject's open field list, nillable fields,
 * and a three-level fault hierarchy in a third inline schema. */
START_TEST(crm_sobject_nillable_and_faults)
{
    struct wsdl *w = loadFixture(CRM);
    const struct xsd_type *so = mustType(w, CRM_SOBJ, "sObject");
    const struct xsd_element *flat[MAX_FLAT];
    ck_assert_uint_eq(flattenElements(so->content, flat, 0), 3);
    ck_assert_str_eq(flat[2]->name, "Id");
    ck_assert(flat[2]->nillable);
    ck_assert(!flat[0]->nillable);
    ck_assert_ptr_eq(flat[2]->type, mustType(w, CRM_NS, "ID"));
    const struct xsd_particle *any = findKind(so->content,
                                             XSD_PARTICLE_ANY);
    ck_assert_ptr_nonnull(any);
    ck_assert_str_eq(any->any_namespace, "##targetNamespace");
    ck_assert_int_eq(any->max_occurs, XSD_UNBOUNDED);

    const struct xsd_element *q = xsd_find_element(w->schemas, CRM_NS,
                                                   "query");
    ck_assert_ptr_nonnull(q);
    const struct xsd_element *qs = childElement(q->type, "queryString");
    ck_assert(qs->nillable);
    ck_assert_str_eq(qs->ns, CRM_NS);

    const struct xsd_type *mq = mustType(w, CRM_FAULT,
                                         "MalformedQueryFault");
    ck_assert_str_eq(mq->base->name, "ApiQueryFault");
    size_t n = flattenElements(mq->content, flat, 0);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(flat[0]->name, "exceptionCode");
    ck_assert_str_eq(flat[2]->name, "extendedErrorDetails");
    ck_assert_str_eq(flat[4]->name, "column");
    ck_assert_uint_eq(flat[0]->type->facets.n_enumeration, 12);

    const struct wsdl_operation *op = mustOperation(w, "query");
    const struct wsdl_part *fp = &op->faults[1].message->parts[0];
    ck_assert_str_eq(fp->element->ns, CRM_FAULT);
    ck_assert_str_eq(fp->element->name, "malformedQueryFault");
    ck_assert_str_eq(op->input.header_parts[0]->name, "SessionHeader");
    ck_assert_str_eq(op->documentation, "Performs the query call");
    ck_assert_str_eq(wsdl_find_service(w, NULL)->documentation,
                     "Partner-style record API (test fixture)");
    wsdl_free(w);
}
END_TEST

/* ONVIF style: types reached through wsdl -> camera.xsd -> events.xsd ->
 * (include) events-common.xsd, ##other wildcards, attribute groups,
 * lists and unions. */
START_TEST(camera_import_chain_and_constructs)
{
    struct wsdl *w = loadFixture(CAMERA);
    const struct xsd_type *ep = mustType(w, CAM_EV, "EndpointRef");
    ck_assert(ep->any_attribute);
    const struct xsd_type *addr = childElement(ep, "Address")->type;
    ck_assert_ptr_eq(addr, mustType(w, CAM_EV, "AttributedUri"));
    ck_assert_uint_eq(addr->n_attributes, 1);   /* from the group */
    ck_assert_str_eq(addr->attributes[0]->name, "IsReferenceParameter");
    ck_assert(addr->any_attribute);

    const struct xsd_type *se = mustType(w, CAM_WSDL, "ServiceEntry");
    const struct xsd_particle *any = findKind(se->content,
                                             XSD_PARTICLE_ANY);
    ck_assert_ptr_nonnull(any);
    ck_assert_str_eq(any->any_namespace, "##other");
    ck_assert_ptr_eq(childElement(se, "Version")->type,
                     mustType(w, CAM_TT, "VersionPair"));

    const struct xsd_type *acct = mustType(w, CAM_TT, "Account");
    ck_assert_uint_eq(acct->n_attributes, 2);
    ck_assert_str_eq(acct->attributes[0]->name, "Revision");
    ck_assert(acct->attributes[1]->type->is_list);
    ck_assert(acct->any_attribute);

    const struct xsd_type *proto = mustType(w, CAM_TT, "NetProtocol");
    ck_assert(childElement(proto, "Port")->type->is_list);
    ck_assert(!mustType(w, CAM_TT, "AuxCommand")->is_complex);
    ck_assert(!mustType(w, CAM_TT, "NetHost")->is_complex);

    /* Extension of an attribute-only base keeps the base's attribute. */
    const struct xsd_type *ni = mustType(w, CAM_TT, "NetInterface");
    ck_assert_uint_eq(ni->n_attributes, 1);
    ck_assert_str_eq(ni->attributes[0]->name, "token");
    ck_assert(ni->attributes[0]->required);
    const struct xsd_element *flat[MAX_FLAT];
    ck_assert_uint_eq(flattenElements(ni->content, flat, 0), 5);
    ck_assert_str_eq(flat[0]->name, "Enabled");
    ck_assert_str_eq(flat[0]->ns, CAM_TT);
    ck_assert_ptr_nonnull(xsd_find_element(w->schemas, CAM_EV, "Filter"));
    ck_assert_str_eq(mustOperation(w, "GetDeviceInfo")->documentation,
                     "Performs the get device info operation of the device.");
    wsdl_free(w);
}
END_TEST

/* Axis rpc/encoded: soapenc arrays (soapenc itself from the catalogue),
 * unqualified bean fields, soapenc-typed parts. */
static const struct array_case {
    const char *name, *item_ns, *item_name;
} array_cases[] = {
    {"ArrayOf_xsd_int", XSD_NS, "int"},
    {"ArrayOf_soapenc_string", SOAP_ENCODING_NS, "string"},
    {"ArrayOf_xsd_double", XSD_NS, "double"},
    {"ArrayOf_tns1_StockItem", RPC_BEANS, "StockItem"},
};

START_TEST(legacy_soapenc_array_items)
{
    const struct array_case *c = &array_cases[_i];
    struct wsdl *w = loadFixture(LEGACY);
    const struct xsd_type *t = mustType(w, RPC_IMPL, c->name);
    ck_assert(t->is_soapenc_array);
    ck_assert_str_eq(t->array_item_type_ns, c->item_ns);
    ck_assert_str_eq(t->array_item_type_name, c->item_name);
    ck_assert_ptr_eq(t->array_item_type,
                     mustType(w, c->item_ns, c->item_name));
    ck_assert_ptr_eq(t->base, mustType(w, SOAP_ENCODING_NS, "Array"));
    wsdl_free(w);
}
END_TEST

START_TEST(legacy_beans_and_encoded_parts)
{
    struct wsdl *w = loadFixture(LEGACY);
    ck_assert(mustType(w, RPC_IMPL, "ArrayOf_ArrayOf_xsd_int")
                  ->is_soapenc_array);
    const struct xsd_type *item = mustType(w, RPC_BEANS, "StockItem");
    const struct xsd_element *flat[MAX_FLAT];
    ck_assert_uint_eq(flattenElements(item->content, flat, 0), 8);
    ck_assert_ptr_null(flat[0]->ns);   /* no elementFormDefault */
    ck_assert_str_eq(flat[1]->name, "description");
    ck_assert(flat[1]->nillable);
    ck_assert_str_eq(flat[1]->type->ns, SOAP_ENCODING_NS);
    ck_assert_int_eq(xsd_json_kind_of(flat[2]->type), XSD_JSON_NUMBER);
    ck_assert_int_eq(xsd_json_kind_of(flat[7]->type), XSD_JSON_NUMBER);

    const struct wsdl_operation *op = mustOperation(w, "adjustStock");
    ck_assert_str_eq(op->input.parts[1]->type->ns, XSD_NS);
    ck_assert_str_eq(op->input.parts[1]->type->name, "int");
    ck_assert_str_eq(op->input.parts[2]->name, "reason");
    ck_assert_str_eq(op->output.ns, RPC_IMPL);
    ck_assert_str_eq(op->output.parts[0]->type->name, "boolean");
    const struct wsdl_part *fault = &op->faults[0].message->parts[0];
    ck_assert_str_eq(fault->type->ns, RPC_BEANS);

    const struct xsd_type *map =
        mustOperation(w, "getAttributes")->output.parts[0]->type;
    ck_assert_str_eq(map->ns, "http://xml.apache.org/xml-soap");
    ck_assert_str_eq(map->name, "Map");
    wsdl_free(w);
}
END_TEST

/* The four models are independent: all alive at once, freed in any
 * order, with nothing shared between them. */
START_TEST(models_are_independent)
{
    const char *rels[] = {MAILBOX, CRM, CAMERA, LEGACY, MAILBOX};
    struct wsdl *w[5];
    for (size_t i = 0; i < 5; i++)
        w[i] = loadFixture(rels[i]);
    ck_assert_ptr_ne(w[0]->schemas, w[4]->schemas);
    ck_assert_uint_eq(xsd_count_types(w[0]->schemas),
                      xsd_count_types(w[4]->schemas));
    ck_assert_ptr_null(xsd_find_type(w[1]->schemas, MB_T, "ItemType"));
    ck_assert_ptr_nonnull(xsd_find_type(w[0]->schemas, MB_T, "ItemType"));
    for (size_t i = 5; i-- > 0;)
        wsdl_free(w[i]);
}
END_TEST

#define N_CASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *realwsdl_suite(void)
{
    Suite *s = suite_create("realwsdl");
    TCase *tc = tcase_create("families");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, shape_of_each_family, 0, N_CASES(shape_cases));
    tcase_add_loop_test(tc, bound_operation_details, 0, N_CASES(op_cases));
    tcase_add_test(tc, mailbox_body_and_header_parts_split);
    tcase_add_test(tc, mailbox_extension_content_order);
    tcase_add_test(tc, mailbox_choice_any_and_catalogue_attribute);
    tcase_add_test(tc, crm_sobject_nillable_and_faults);
    tcase_add_test(tc, camera_import_chain_and_constructs);
    tcase_add_loop_test(tc, legacy_soapenc_array_items, 0,
                        N_CASES(array_cases));
    tcase_add_test(tc, legacy_beans_and_encoded_parts);
    tcase_add_test(tc, models_are_independent);
    suite_add_tcase(s, tc);
    return s;
}
