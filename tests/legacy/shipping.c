/*
 * shipping-service: the demo warehouse system "LVS" (wsdl/shipping.wsdl,
 * ShippingService): order status, order lists and shipments,
 * document/literal SOAP 1.1 with unqualified local elements, customers
 * numbered "DE4711", status codes OPN/BCK/SHP/CNC, dates YYYYMMDD and
 * time stamps YYYYMMDDhhmmss in Europe/Berlin local time.
 *
 *   shipping-service --port PORT [--data FILE]
 *
 * GetOrderStatus's DelayMs makes the answer wait that long (the slow
 * operation of timeout tests); other requests are served meanwhile.
 * Seeded from tests/legacy/data/shipping.dat (format in that file).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy.h"
#include "shippingH.h"

/* soapcpp2's namespace table: defined once, in this program. */
#include "ShippingBinding.nsmap"

#ifndef LEGACY_DATA_DIR
#define LEGACY_DATA_DIR "tests/legacy/data"
#endif

#define POOL_LIMIT (4u << 20)
#define DEFAULT_MAX_ROWS 100
/* The SOAPAction of an operation (wsdl/shipping.wsdl). */
#define ACTION(op) "http://shipping.example.com/ws/2007/" op

struct item {
    int line;
    char *sku, *text;
    int qty, qty_shipped; /* qty_shipped < 0: not reported */
};

struct shipment {
    char *id, *carrier, *tracking, *stamp, *weight;
    int parcels; /* < 0: not reported */
};

struct order {
    char *id, *customer, *status, *ordered, *shipped, *value, *changed;
    int positions; /* as the order header stores it */
    struct item *items;
    int nitems, items_cap;
    struct shipment *shipments;
    int nshipments, shipments_cap;
};

struct shipping_db {
    struct legacy_pool *pool;
    char *warehouse; /* named in fault texts */
    struct legacy_strings customers;
    struct order *orders;
    int norders, orders_cap;
};

/* ---- lookups ------------------------------------------------------------- */

static struct order *findOrder(struct shipping_db *db, const char *id)
{
    return legacy_find(db->orders, db->norders, sizeof *db->orders,
                       offsetof(struct order, id), id);
}

/* One capital letter and four digits, e.g. A1001. */
static int isOrderNumber(const char *s)
{
    return s && s[0] >= 'A' && s[0] <= 'Z' && legacy_is_digits(s + 1, 4);
}

/* ---- faults -------------------------------------------------------------- */

enum shipping_fault { UNKNOWN_ORDER, UNKNOWN_CUSTOMER, VALIDATION };

static int shippingFault(struct soap *soap, enum shipping_fault kind,
                         const char *code, const char *field,
                         const char *reason, const char *text)
{
    struct lvs__FaultDetailType *d = soap_new_lvs__FaultDetailType(soap, -1);
    struct SOAP_ENV__Detail *detail = soap_new_SOAP_ENV__Detail(soap, -1);

    legacy_sender_fault(soap, reason);
    if (!d || !detail)
        return SOAP_FAULT;
    d->ErrCode = (char *)code;
    d->ErrField = (char *)field;
    d->ErrText = legacy_dup(soap, text);
    if (kind == UNKNOWN_ORDER)
        detail->lvs__UnknownOrderFault = d;
    else if (kind == UNKNOWN_CUSTOMER)
        detail->lvs__UnknownCustomerFault = d;
    else
        detail->lvs__ValidationFault = d;
    LEGACY_ATTACH_DETAIL(soap, detail);
    return SOAP_FAULT;
}

static int invalidField(struct soap *soap, const char *field, const char *text)
{
    return shippingFault(soap, VALIDATION, "LVS-0400", field,
                         legacy_printf(soap, "Feld %s ungueltig", field), text);
}

/* Look up an order; SOAP_OK or the declared fault. */
static int checkOrder(struct soap *soap, struct shipping_db *db, const char *id,
                      struct order **out)
{
    if (!isOrderNumber(id))
        return invalidField(
            soap, "OrderNo",
            legacy_printf(soap, "Auftragsnummer '%s' ist nicht A9999.",
                          id ? id : ""));
    *out = findOrder(db, id);
    if (*out)
        return SOAP_OK;
    return shippingFault(
        soap, UNKNOWN_ORDER, "LVS-0404", "OrderNo",
        legacy_printf(soap, "Auftrag %s unbekannt", id),
        legacy_printf(soap, "Kein Auftrag mit Nummer %s im Lager %s.", id,
                      db->warehouse));
}

/* ---- answers ----------------------------------------------------------- */

static enum lvs__StatusCode statusCode(struct soap *soap, const char *code)
{
    enum lvs__StatusCode status = lvs__StatusCode__OPN;

    soap_s2lvs__StatusCode(soap, code, &status);
    return status;
}

static struct lvs__ItemList *copyItems(struct soap *soap, const struct order *o)
{
    struct lvs__ItemList *list = soap_new_lvs__ItemList(soap, -1);
    struct lvs__ItemType *items = soap_new_lvs__ItemType(soap, o->nitems);

    if (!list || !items)
        return list;
    for (int i = 0; i < o->nitems; i++) {
        const struct item *it = &o->items[i];

        items[i].line = it->line;
        items[i].ArtNo = legacy_dup(soap, it->sku);
        items[i].Descr = legacy_dup(soap, it->text);
        items[i].Qty = it->qty;
        if (it->qty_shipped >= 0)
            items[i].QtyShp = legacy_int(soap, it->qty_shipped);
    }
    list->Item = items;
    list->__sizeItem = o->nitems;
    return list;
}

static struct lvs__ShipmentType *copyShipments(struct soap *soap,
                                               const struct order *o)
{
    struct lvs__ShipmentType *s =
        soap_new_lvs__ShipmentType(soap, o->nshipments);

    for (int i = 0; s && i < o->nshipments; i++) {
        const struct shipment *sh = &o->shipments[i];

        s[i].ShpNo = legacy_dup(soap, sh->id);
        s[i].Carrier = legacy_dup(soap, sh->carrier);
        s[i].TrackNo = legacy_dup(soap, sh->tracking);
        s[i].ShpTS = legacy_dup(soap, sh->stamp);
        if (sh->parcels >= 0)
            s[i].Parcels = legacy_int(soap, sh->parcels);
        s[i].WeightKg = legacy_dup(soap, sh->weight);
    }
    return s;
}

/* ---- GetOrderStatus ------------------------------------------------------ */

static int checkDelay(struct soap *soap, const int *delay)
{
    if (!delay || (*delay >= 0 && *delay <= LEGACY_MAX_DELAY_MS))
        return SOAP_OK;
    return invalidField(
        soap, "DelayMs",
        legacy_printf(soap, "DelayMs %d liegt nicht zwischen 0 und %d.", *delay,
                      LEGACY_MAX_DELAY_MS));
}

static void answerOrderStatus(struct soap *soap, const struct order *o,
                              struct _lvs__GetOrderStatusResponse *out)
{
    out->OrderNo = legacy_dup(soap, o->id);
    out->CustNo = legacy_dup(soap, o->customer);
    out->Status = statusCode(soap, o->status);
    out->OrdDate = legacy_dup(soap, o->ordered);
    out->ShipDate = legacy_dup(soap, o->shipped);
    out->Items = copyItems(soap, o);
    out->Shipment = copyShipments(soap, o);
    out->__sizeShipment = o->nshipments;
    out->LastChg = legacy_dup(soap, o->changed);
}

int __lvs__GetOrderStatus(struct soap *soap, struct _lvs__GetOrderStatus *in,
                          struct _lvs__GetOrderStatusResponse *out)
{
    struct shipping_db *db;
    struct order *o;
    int rc = legacy_check_request(soap, 1, ACTION("GetOrderStatus"));

    if (rc == SOAP_OK)
        rc = checkDelay(soap, in->DelayMs);
    if (rc)
        return rc;
    /* The test hook: wait before answering, without holding the lock. */
    if (in->DelayMs)
        legacy_sleep_ms(soap, *in->DelayMs);
    db = legacy_lock(soap);
    rc = checkOrder(soap, db, in->OrderNo, &o);
    if (rc == SOAP_OK)
        answerOrderStatus(soap, o, out);
    legacy_unlock(soap);
    return rc;
}

/* ---- ListOrders ---------------------------------------------------------- */

struct order_filter {
    const char *customer;
    const char *status; /* NULL: all */
    const char *from;   /* NULL: all */
    int max_rows;
};

static int checkFilter(struct soap *soap, struct shipping_db *db,
                       const struct _lvs__ListOrders *in,
                       struct order_filter *f)
{
    f->customer = in->CustNo;
    f->status = in->Status ? soap_lvs__StatusCode2s(soap, *in->Status) : NULL;
    f->from = in->FromDate;
    f->max_rows = in->MaxRows ? *in->MaxRows : DEFAULT_MAX_ROWS;
    if (f->from && !legacy_is_digits(f->from, 8))
        return invalidField(soap, "FromDate", "FromDate ist nicht JJJJMMTT.");
    if (f->max_rows < 1)
        return invalidField(soap, "MaxRows", "MaxRows muss >= 1 sein.");
    if (legacy_strings_contain(&db->customers, f->customer))
        return SOAP_OK;
    return shippingFault(
        soap, UNKNOWN_CUSTOMER, "LVS-0410", "CustNo",
        legacy_printf(soap, "Kunde %s unbekannt",
                      f->customer ? f->customer : ""),
        legacy_printf(soap, "Kundennummer %s ist im LVS nicht angelegt.",
                      f->customer ? f->customer : ""));
}

static int matches(const struct order *o, const struct order_filter *f)
{
    return !strcmp(o->customer, f->customer) &&
           (!f->status || !strcmp(o->status, f->status)) &&
           (!f->from || strcmp(o->ordered, f->from) >= 0);
}

/* Newest first: by order date, then by number. */
static int newerFirst(const void *a, const void *b)
{
    const struct order *x = *(const struct order *const *)a;
    const struct order *y = *(const struct order *const *)b;
    int c = strcmp(y->ordered, x->ordered);

    return c ? c : strcmp(y->id, x->id);
}

static void copySummary(struct soap *soap, const struct order *o,
                        struct lvs__OrderSummaryType *out)
{
    out->OrderNo = legacy_dup(soap, o->id);
    out->OrdDate = legacy_dup(soap, o->ordered);
    out->Status = statusCode(soap, o->status);
    out->ShipDate = legacy_dup(soap, o->shipped);
    out->Positions = o->positions;
    out->OrdValue = legacy_dup(soap, o->value);
}

static void answerOrders(struct soap *soap, struct shipping_db *db,
                         const struct order_filter *f,
                         struct _lvs__ListOrdersResponse *out)
{
    const struct order **hits =
        soap_malloc(soap, sizeof *hits * (size_t)(db->norders + 1));
    int n = 0, shown;

    for (int i = 0; hits && i < db->norders; i++)
        if (matches(&db->orders[i], f))
            hits[n++] = &db->orders[i];
    qsort(hits, (size_t)n, sizeof *hits, newerFirst);
    shown = n < f->max_rows ? n : f->max_rows;
    out->CustNo = legacy_dup(soap, f->customer);
    out->Order = soap_new_lvs__OrderSummaryType(soap, shown);
    for (int i = 0; out->Order && i < shown; i++)
        copySummary(soap, hits[i], &out->Order[i]);
    out->__sizeOrder = out->Order ? shown : 0;
    out->count = legacy_int(soap, out->__sizeOrder);
    out->more = soap_malloc(soap, sizeof *out->more);
    if (out->more)
        *out->more = n > shown ? xsd__boolean__true_ : xsd__boolean__false_;
}

int __lvs__ListOrders(struct soap *soap, struct _lvs__ListOrders *in,
                      struct _lvs__ListOrdersResponse *out)
{
    struct shipping_db *db;
    struct order_filter f;
    int rc = legacy_check_request(soap, 1, ACTION("ListOrders"));

    if (rc)
        return rc;
    db = legacy_lock(soap);
    rc = checkFilter(soap, db, in, &f);
    if (rc == SOAP_OK)
        answerOrders(soap, db, &f, out);
    legacy_unlock(soap);
    return rc;
}

/* ---- GetShipments -------------------------------------------------------- */

int __lvs__GetShipments(struct soap *soap, struct _lvs__GetShipments *in,
                        struct _lvs__GetShipmentsResponse *out)
{
    struct shipping_db *db;
    struct order *o;
    int rc = legacy_check_request(soap, 1, ACTION("GetShipments"));

    if (rc)
        return rc;
    db = legacy_lock(soap);
    rc = checkOrder(soap, db, in->OrderNo, &o);
    if (rc == SOAP_OK) {
        out->OrderNo = legacy_dup(soap, o->id);
        out->Shipment = copyShipments(soap, o);
        out->__sizeShipment = o->nshipments;
    }
    legacy_unlock(soap);
    return rc;
}

/* ---- seed data ----------------------------------------------------------- */

/* An optional number: an empty field gives -1. */
static int optionalInt(const struct legacy_record *rec, int i, int *out,
                       struct legacy_error *err)
{
    *out = -1;
    return rec->field[i] ? legacy_record_int(rec, i, out, err) : 0;
}

static struct order *orderOf(struct shipping_db *db,
                             const struct legacy_record *rec,
                             struct legacy_error *err)
{
    struct order *o = findOrder(db, rec->field[1]);

    if (!o)
        legacy_record_fail(rec, err, "no AUFTRAG %s before",
                           rec->field[1] ? rec->field[1] : "");
    return o;
}

/* AUFTRAG|OrderNo|CustNo|Status|OrdDate|ShipDate|Positions|OrdValue|LastChg */
static int loadOrder(void *ctx, const struct legacy_record *rec,
                     struct legacy_error *err)
{
    struct shipping_db *db = ctx;
    struct order *o;

    if (legacy_record_expect(rec, 9, err))
        return -1;
    if (!isOrderNumber(rec->field[1]) || findOrder(db, rec->field[1]) ||
        !legacy_strings_contain(&db->customers, rec->field[2]))
        return legacy_record_fail(rec, err,
                                  "bad or repeated OrderNo, or "
                                  "CustNo without KUNDE record");
    if (!rec->field[3] || strlen(rec->field[3]) != 3 ||
        !strstr("OPN BCK SHP CNC", rec->field[3]))
        return legacy_record_fail(rec, err, "Status: OPN, BCK, SHP or CNC");
    o = legacy_record_append(db->pool, rec, (void **)&db->orders, &db->norders,
                             &db->orders_cap, sizeof *o, err);
    if (!o)
        return -1;
    o->id = legacy_record_keep(db->pool, rec, 1);
    o->customer = legacy_record_keep(db->pool, rec, 2);
    o->status = legacy_record_keep(db->pool, rec, 3);
    o->ordered = legacy_record_keep(db->pool, rec, 4);
    o->shipped = legacy_record_keep(db->pool, rec, 5);
    o->value = legacy_record_keep(db->pool, rec, 7);
    o->changed = legacy_record_keep(db->pool, rec, 8);
    return legacy_record_int(rec, 6, &o->positions, err);
}

/* POS|OrderNo|line|ArtNo|Descr|Qty|QtyShp */
static int loadItem(void *ctx, const struct legacy_record *rec,
                    struct legacy_error *err)
{
    struct shipping_db *db = ctx;
    struct order *o;
    struct item *it;

    if (legacy_record_expect(rec, 7, err) || !(o = orderOf(db, rec, err)))
        return -1;
    it = legacy_record_append(db->pool, rec, (void **)&o->items, &o->nitems,
                              &o->items_cap, sizeof *it, err);
    if (!it)
        return -1;
    it->sku = legacy_record_keep(db->pool, rec, 3);
    it->text = legacy_record_keep(db->pool, rec, 4);
    return legacy_record_int(rec, 2, &it->line, err) ||
           legacy_record_int(rec, 5, &it->qty, err) ||
           optionalInt(rec, 6, &it->qty_shipped, err);
}

/* SENDUNG|OrderNo|ShpNo|Carrier|TrackNo|ShpTS|Parcels|WeightKg */
static int loadShipment(void *ctx, const struct legacy_record *rec,
                        struct legacy_error *err)
{
    struct shipping_db *db = ctx;
    struct order *o;
    struct shipment *s;

    if (legacy_record_expect(rec, 8, err) || !(o = orderOf(db, rec, err)))
        return -1;
    s = legacy_record_append(db->pool, rec, (void **)&o->shipments,
                             &o->nshipments, &o->shipments_cap, sizeof *s, err);
    if (!s)
        return -1;
    s->id = legacy_record_keep(db->pool, rec, 2);
    s->carrier = legacy_record_keep(db->pool, rec, 3);
    s->tracking = legacy_record_keep(db->pool, rec, 4);
    s->stamp = legacy_record_keep(db->pool, rec, 5);
    s->weight = legacy_record_keep(db->pool, rec, 7);
    return optionalInt(rec, 6, &s->parcels, err);
}

/* KUNDE|CustNo */
static int loadCustomer(void *ctx, const struct legacy_record *rec,
                        struct legacy_error *err)
{
    struct shipping_db *db = ctx;

    if (legacy_record_expect(rec, 2, err))
        return -1;
    return legacy_record_add_string(db->pool, rec, 1, &db->customers, err);
}

/* LAGER|name */
static int loadWarehouse(void *ctx, const struct legacy_record *rec,
                         struct legacy_error *err)
{
    struct shipping_db *db = ctx;

    if (legacy_record_expect(rec, 2, err))
        return -1;
    db->warehouse = legacy_record_keep(db->pool, rec, 1);
    return 0;
}

static const struct legacy_record_kind recordKinds[] = {
    {"LAGER", loadWarehouse}, {"KUNDE", loadCustomer},   {"AUFTRAG", loadOrder},
    {"POS", loadItem},        {"SENDUNG", loadShipment},
};

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    struct shipping_db db = {.warehouse = "LVS"};
    const struct legacy_program program = {
        .name = "shipping-service",
        .default_data = LEGACY_DATA_DIR "/shipping.dat",
        .pool_limit = POOL_LIMIT,
        .kinds = recordKinds,
        .nkinds = sizeof recordKinds / sizeof recordKinds[0],
        .service = {.serve = soap_serve, .db = &db},
        .pool = &db.pool,
    };

    return legacy_main(argc, argv, &program);
}
