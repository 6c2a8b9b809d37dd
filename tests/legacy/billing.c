/*
 * billing-service: the demo billing system "FAKT/400" (wsdl/billing.wsdl,
 * BillingService): invoices, prices and tax rates, rpc/literal SOAP 1.1.
 * Customers are plain numbers (4711), invoice states OF/BZ/MA, tax regions
 * ISO 3166-2 codes, amounts two-decimal text ("1500.00").
 *
 *   billing-service --port PORT [--data FILE]
 *
 * Like the system it stands in for, it computes what it answers: net
 * amounts of positions, totals, tax per region (from its tax table) and
 * customer prices (from the pricing rules), in exact decimals.
 * Seeded from tests/legacy/data/billing.dat (format in that file).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billingH.h"

/* soapcpp2's namespace table: defined once, in this program. */
#include "BillingBinding.nsmap"
#include "legacy.h"

#ifndef LEGACY_DATA_DIR
#define LEGACY_DATA_DIR "tests/legacy/data"
#endif

#define POOL_LIMIT (4u << 20)
#define MAX_TAX_GROUPS 16 /* (region, tax code) pairs on one invoice */

struct customer {
    int id;
    char *name;
};

struct article {
    char *id, *text, *valid_to;
    long price; /* cents */
};

struct rule {
    char *id, *text, *article; /* article NULL: every article */
    long percent;              /* hundredths */
    int min_qty;               /* < 0: no minimum */
    int customer;              /* 0: every customer */
};

struct tax_rate {
    char *region, *code, *valid_from;
    long percent; /* hundredths */
};

struct position {
    int no;
    char kind; /* N, R or F */
    char *article, *text, *qty_text, *unit, *code, *region;
    long qty;        /* thousandths */
    long unit_price; /* cents */
};

struct invoice {
    char *id, *date, *due, *state, *order, *paid;
    int customer;
    struct position *positions;
    int npositions, positions_cap;
};

struct billing_db {
    struct legacy_pool *pool;
    struct customer *customers;
    int ncustomers, customers_cap;
    struct article *articles;
    int narticles, articles_cap;
    struct rule *rules;
    int nrules, rules_cap;
    struct tax_rate *rates;
    int nrates, rates_cap;
    struct invoice *invoices;
    int ninvoices, invoices_cap;
};

/* ---- lookups ------------------------------------------------------------- */

static struct customer *findCustomer(struct billing_db *db, int id)
{
    for (int i = 0; i < db->ncustomers; i++)
        if (db->customers[i].id == id)
            return &db->customers[i];
    return NULL;
}

static struct article *findArticle(struct billing_db *db, const char *id)
{
    return legacy_find(db->articles, db->narticles, sizeof *db->articles,
                       offsetof(struct article, id), id);
}

static struct invoice *findInvoice(struct billing_db *db, const char *id)
{
    return legacy_find(db->invoices, db->ninvoices, sizeof *db->invoices,
                       offsetof(struct invoice, id), id);
}

static struct tax_rate *findRate(struct billing_db *db, const char *region,
                                 const char *code)
{
    for (int i = 0; i < db->nrates; i++)
        if (!strcmp(db->rates[i].region, region) &&
            !strcmp(db->rates[i].code, code))
            return &db->rates[i];
    return NULL;
}

/* RE, four digits, a dash and five digits: RE2026-00815. */
static int isInvoiceNumber(const char *s)
{
    return s && strlen(s) == 12 && !strncmp(s, "RE", 2) && s[6] == '-' &&
           strspn(s + 2, "0123456789") == 4 && strspn(s + 7, "0123456789") == 5;
}

/* ---- faults -------------------------------------------------------------- */

enum billing_fault { UNKNOWN_INVOICE, UNKNOWN_CUSTOMER, VALIDATION };

static int billingFault(struct soap *soap, enum billing_fault kind,
                        const char *code, const char *field, const char *reason,
                        const char *text)
{
    struct bt__FaultDetailType *d = soap_new_bt__FaultDetailType(soap, -1);
    struct SOAP_ENV__Detail *detail = soap_new_SOAP_ENV__Detail(soap, -1);

    legacy_sender_fault(soap, reason);
    if (!d || !detail)
        return SOAP_FAULT;
    d->Code = (char *)code;
    d->Field = (char *)field;
    d->Msg = legacy_dup(soap, text);
    if (kind == UNKNOWN_INVOICE)
        detail->bt__UnknownInvoiceFault = d;
    else if (kind == UNKNOWN_CUSTOMER)
        detail->bt__UnknownCustomerFault = d;
    else
        detail->bt__ValidationFault = d;
    LEGACY_ATTACH_DETAIL(soap, detail);
    return SOAP_FAULT;
}

static int invalidField(struct soap *soap, const char *code, const char *field,
                        const char *text)
{
    return billingFault(soap, VALIDATION, code, field,
                        legacy_printf(soap, "%s Eingabe ungueltig", code),
                        text);
}

/* ---- GetInvoice ---------------------------------------------------------- */

static struct bt__Money *money(struct soap *soap, long cents)
{
    struct bt__Money *m = soap_new_bt__Money(soap, -1);

    if (m) {
        m->__item = legacy_decimal_text(soap, cents, 2);
        m->cur = "EUR";
    }
    return m;
}

static long netAmount(const struct position *p)
{
    return legacy_round_div(p->qty * p->unit_price, 1000);
}

static struct bt__InvoiceHeader *
copyHeader(struct soap *soap, struct billing_db *db, const struct invoice *inv)
{
    struct bt__InvoiceHeader *h = soap_new_bt__InvoiceHeader(soap, -1);
    const struct customer *c = findCustomer(db, inv->customer);

    if (!h)
        return NULL;
    h->InvNo = legacy_dup(soap, inv->id);
    h->InvDate = legacy_dup(soap, inv->date);
    h->CustNo = inv->customer;
    h->CustName = legacy_dup(soap, c ? c->name : "?");
    h->DueDate = legacy_dup(soap, inv->due);
    soap_s2bt__InvoiceState(soap, inv->state, &h->State);
    h->OrderRef = legacy_dup(soap, inv->order);
    return h;
}

static void copyPosition(struct soap *soap, const struct position *p,
                         struct bt__PosType *out)
{
    out->PosNo = p->no;
    out->ArtNo = legacy_dup(soap, p->article);
    out->Text = legacy_dup(soap, p->text);
    out->Qty = legacy_dup(soap, p->qty_text);
    out->Unit = legacy_dup(soap, p->unit);
    out->UnitPrice = legacy_decimal_text(soap, p->unit_price, 2);
    out->NetAmt = legacy_decimal_text(soap, netAmount(p), 2);
    out->TaxCd = legacy_dup(soap, p->code);
    out->kind = soap_malloc(soap, sizeof *out->kind);
    if (out->kind)
        *out->kind = (enum bt__PosKind)p->kind;
}

static struct bt__PositionList *copyPositions(struct soap *soap,
                                              const struct invoice *inv)
{
    struct bt__PositionList *list = soap_new_bt__PositionList(soap, -1);

    if (!list)
        return NULL;
    list->Pos = soap_new_bt__PosType(soap, inv->npositions);
    for (int i = 0; list->Pos && i < inv->npositions; i++)
        copyPosition(soap, &inv->positions[i], &list->Pos[i]);
    list->__sizePos = list->Pos ? inv->npositions : 0;
    return list;
}

/* The tax of an invoice, per (region, tax code) in order of appearance. */
struct tax_group {
    const struct position *first;
    const struct tax_rate *rate;
    long base, tax;
};

static int groupTaxes(struct billing_db *db, const struct invoice *inv,
                      struct tax_group *groups)
{
    int n = 0;

    for (int i = 0; i < inv->npositions; i++) {
        const struct position *p = &inv->positions[i];
        int g;

        for (g = 0; g < n; g++)
            if (!strcmp(groups[g].first->region, p->region) &&
                !strcmp(groups[g].first->code, p->code))
                break;
        if (g == n) {
            if (n == MAX_TAX_GROUPS)
                continue; /* checked when the data was loaded */
            groups[n++] = (struct tax_group){
                .first = p, .rate = findRate(db, p->region, p->code)};
        }
        groups[g].base += netAmount(p);
    }
    for (int g = 0; g < n; g++)
        groups[g].tax = legacy_round_div(
            groups[g].base * (groups[g].rate ? groups[g].rate->percent : 0),
            10000);
    return n;
}

static struct bt__TaxList *copyTaxes(struct soap *soap,
                                     const struct tax_group *groups, int n)
{
    struct bt__TaxList *list = soap_new_bt__TaxList(soap, -1);
    struct bt__RegionTax *t = soap_new_bt__RegionTax(soap, n);

    if (!list || !t)
        return list;
    for (int g = 0; g < n; g++) {
        t[g].Region = legacy_dup(soap, groups[g].first->region);
        t[g].TaxCd = legacy_dup(soap, groups[g].first->code);
        t[g].Rate = legacy_decimal_text(
            soap, groups[g].rate ? groups[g].rate->percent : 0, 2);
        t[g].Base = legacy_decimal_text(soap, groups[g].base, 2);
        t[g].TaxAmt = legacy_decimal_text(soap, groups[g].tax, 2);
    }
    list->RegTax = t;
    list->__sizeRegTax = n;
    return list;
}

static struct bt__Totals *copyTotals(struct soap *soap,
                                     const struct invoice *inv,
                                     const struct tax_group *groups, int n)
{
    struct bt__Totals *t = soap_new_bt__Totals(soap, -1);
    long net = 0, tax = 0, paid;

    if (!t)
        return NULL;
    for (int i = 0; i < inv->npositions; i++)
        net += netAmount(&inv->positions[i]);
    for (int g = 0; g < n; g++)
        tax += groups[g].tax;
    t->Net = money(soap, net);
    t->Tax = money(soap, tax);
    t->Gross = money(soap, net + tax);
    if (inv->paid && !legacy_decimal_parse(inv->paid, 2, &paid))
        t->Paid = money(soap, paid);
    return t;
}

static void answerInvoice(struct soap *soap, struct billing_db *db,
                          const struct invoice *inv,
                          struct fakt__GetInvoiceResponse *out)
{
    struct tax_group groups[MAX_TAX_GROUPS];
    int n = groupTaxes(db, inv, groups);

    out->Header = copyHeader(soap, db, inv);
    out->Positions = copyPositions(soap, inv);
    out->Totals = copyTotals(soap, inv, groups, n);
    out->TaxByRegion = copyTaxes(soap, groups, n);
}

int fakt__GetInvoice(struct soap *soap, char *InvNo,
                     struct fakt__GetInvoiceResponse *out)
{
    struct billing_db *db;
    struct invoice *inv;
    int rc = legacy_check_request(soap, 1, NULL); /* soapAction="" */

    if (rc)
        return rc;
    if (!isInvoiceNumber(InvNo))
        return invalidField(
            soap, "FAKT-E001", "InvNo",
            legacy_printf(soap, "Rechnungsnummer '%s' ist nicht REJJJJ-nnnnn.",
                          InvNo ? InvNo : ""));
    db = legacy_lock(soap);
    inv = findInvoice(db, InvNo);
    if (inv)
        answerInvoice(soap, db, inv, out);
    else
        rc = billingFault(
            soap, UNKNOWN_INVOICE, "FAKT-E017", "InvNo",
            "FAKT-E017 Rechnung nicht gefunden",
            legacy_printf(soap, "Rechnung %s existiert nicht.", InvNo));
    legacy_unlock(soap);
    return rc;
}

/* ---- GetPricing ---------------------------------------------------------- */

static int ruleApplies(const struct rule *r, int customer, const char *article,
                       int qty)
{
    return (!r->article || !strcmp(r->article, article)) &&
           (!r->customer || r->customer == customer) &&
           (r->min_qty < 0 || qty >= r->min_qty);
}

static void copyRule(struct soap *soap, const struct rule *r,
                     struct bt__PriceRule *out)
{
    out->RuleId = legacy_dup(soap, r->id);
    out->Descr = legacy_dup(soap, r->text);
    out->Pct = legacy_decimal_text(soap, r->percent, 2);
    if (r->min_qty >= 0)
        out->MinQty = legacy_int(soap, r->min_qty);
}

/* The price: list price less the sum of the rules that apply. */
static struct bt__PriceInfo *priceOf(struct soap *soap, struct billing_db *db,
                                     const struct article *a, int customer,
                                     int qty)
{
    struct bt__PriceInfo *p = soap_new_bt__PriceInfo(soap, -1);
    struct bt__PriceRule *rules = soap_new_bt__PriceRule(soap, db->nrules);
    long percent = 0;
    int n = 0;

    if (!p || !rules)
        return p;
    for (int i = 0; i < db->nrules; i++) {
        if (!ruleApplies(&db->rules[i], customer, a->id, qty))
            continue;
        copyRule(soap, &db->rules[i], &rules[n++]);
        percent += db->rules[i].percent;
    }
    if (percent > 10000)
        percent = 10000;
    p->ArtNo = legacy_dup(soap, a->id);
    p->ArtText = legacy_dup(soap, a->text);
    p->ListPrice = money(soap, a->price);
    p->DiscPct = legacy_decimal_text(soap, percent, 2);
    p->NetPrice =
        money(soap, legacy_round_div(a->price * (10000 - percent), 10000));
    p->ValidTo = legacy_dup(soap, a->valid_to);
    p->Rules.Rule = rules;
    p->Rules.__sizeRule = n;
    return p;
}

static int checkPricing(struct soap *soap, struct billing_db *db, int customer,
                        const char *article, int qty, struct article **out)
{
    if (!findCustomer(db, customer))
        return billingFault(
            soap, UNKNOWN_CUSTOMER, "FAKT-E023", "CustNo",
            legacy_printf(soap, "FAKT-E023 Kunde %d unbekannt", customer),
            legacy_printf(soap, "Kundennummer %d ist nicht angelegt.",
                          customer));
    *out = findArticle(db, article);
    if (!*out)
        return invalidField(soap, "FAKT-E031", "ArtNo",
                            legacy_printf(soap,
                                          "Artikel %s nicht im Preisstamm.",
                                          article ? article : ""));
    if (qty < 1)
        return invalidField(soap, "FAKT-E032", "Qty",
                            "Menge muss mindestens 1 sein.");
    return SOAP_OK;
}

int fakt__GetPricing(struct soap *soap, int CustNo, char *ArtNo, int Qty,
                     struct fakt__GetPricingResponse *out)
{
    struct billing_db *db;
    struct article *a = NULL;
    int rc = legacy_check_request(soap, 1, NULL);

    if (rc)
        return rc;
    db = legacy_lock(soap);
    rc = checkPricing(soap, db, CustNo, ArtNo, Qty, &a);
    if (rc == SOAP_OK)
        out->Price = priceOf(soap, db, a, CustNo, Qty);
    legacy_unlock(soap);
    return rc;
}

/* ---- GetRegionalTax ------------------------------------------------------ */

static int checkRegion(struct soap *soap, const char *country,
                       const char *region)
{
    if (!country || strlen(country) != 2 || country[0] < 'A' ||
        country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z')
        return invalidField(soap, "FAKT-E040", "Country",
                            "Land ist kein ISO-3166-Code (zwei Buchstaben).");
    if (region && *region && (strncmp(region, country, 2) || region[2] != '-'))
        return invalidField(soap, "FAKT-E041", "Region",
                            legacy_printf(soap, "Region %s liegt nicht in %s.",
                                          region, country));
    return SOAP_OK;
}

static int rateMatches(const struct tax_rate *r, const char *country,
                       const char *region)
{
    if (region && *region)
        return !strcmp(r->region, region);
    return !strncmp(r->region, country, 2) && r->region[2] == '-';
}

static void answerRates(struct soap *soap, struct billing_db *db,
                        const char *country, const char *region,
                        struct fakt__GetRegionalTaxResponse *out)
{
    struct bt__TaxRateList *list = soap_new_bt__TaxRateList(soap, -1);
    struct bt__TaxRate *t = soap_new_bt__TaxRate(soap, db->nrates);
    int n = 0;

    out->Rates = list;
    if (!list || !t)
        return;
    for (int i = 0; i < db->nrates; i++) {
        const struct tax_rate *r = &db->rates[i];

        if (!rateMatches(r, country, region))
            continue;
        t[n].Region = legacy_dup(soap, r->region);
        t[n].TaxCd = legacy_dup(soap, r->code);
        t[n].Rate = legacy_decimal_text(soap, r->percent, 2);
        t[n].ValidFrom = legacy_dup(soap, r->valid_from);
        n++;
    }
    list->Rate = t;
    list->__sizeRate = n;
}

int fakt__GetRegionalTax(struct soap *soap, char *Country, char *Region,
                         struct fakt__GetRegionalTaxResponse *out)
{
    struct billing_db *db;
    int rc = legacy_check_request(soap, 1, NULL);

    if (rc == SOAP_OK)
        rc = checkRegion(soap, Country, Region);
    if (rc)
        return rc;
    db = legacy_lock(soap);
    answerRates(soap, db, Country, Region, out);
    legacy_unlock(soap);
    if (out->Rates && out->Rates->__sizeRate == 0)
        return invalidField(
            soap, "FAKT-E042", Region && *Region ? "Region" : "Country",
            legacy_printf(soap, "Keine Steuersaetze fuer %s.",
                          Region && *Region ? Region : Country));
    return SOAP_OK;
}

/* ---- seed data ----------------------------------------------------------- */

static int amountField(const struct legacy_record *rec, int i, int places,
                       long *out, struct legacy_error *err)
{
    if (legacy_decimal_parse(rec->field[i], places, out))
        return legacy_record_fail(rec, err, "field %d: not an amount", i);
    return 0;
}

/* KUNDE|CustNo|Name */
static int loadCustomer(void *ctx, const struct legacy_record *rec,
                        struct legacy_error *err)
{
    struct billing_db *db = ctx;
    struct customer *c;

    if (legacy_record_expect(rec, 3, err))
        return -1;
    c = legacy_record_append(db->pool, rec, (void **)&db->customers,
                             &db->ncustomers, &db->customers_cap, sizeof *c,
                             err);
    if (!c)
        return -1;
    c->name = legacy_record_keep(db->pool, rec, 2);
    return legacy_record_int(rec, 1, &c->id, err);
}

/* ARTIKEL|ArtNo|ArtText|ListPrice|ValidTo */
static int loadArticle(void *ctx, const struct legacy_record *rec,
                       struct legacy_error *err)
{
    struct billing_db *db = ctx;
    struct article *a;

    if (legacy_record_expect(rec, 5, err))
        return -1;
    a = legacy_record_append(db->pool, rec, (void **)&db->articles,
                             &db->narticles, &db->articles_cap, sizeof *a, err);
    if (!a)
        return -1;
    a->id = legacy_record_keep(db->pool, rec, 1);
    a->text = legacy_record_keep(db->pool, rec, 2);
    a->valid_to = legacy_record_keep(db->pool, rec, 4);
    return amountField(rec, 3, 2, &a->price, err);
}

/* REGEL|RuleId|Descr|Pct|MinQty|ArtNo|CustNo */
static int loadRule(void *ctx, const struct legacy_record *rec,
                    struct legacy_error *err)
{
    struct billing_db *db = ctx;
    struct rule *r;

    if (legacy_record_expect(rec, 7, err))
        return -1;
    r = legacy_record_append(db->pool, rec, (void **)&db->rules, &db->nrules,
                             &db->rules_cap, sizeof *r, err);
    if (!r)
        return -1;
    r->id = legacy_record_keep(db->pool, rec, 1);
    r->text = legacy_record_keep(db->pool, rec, 2);
    r->article = legacy_record_keep(db->pool, rec, 5);
    r->min_qty = -1;
    return amountField(rec, 3, 2, &r->percent, err) ||
           (rec->field[4] && legacy_record_int(rec, 4, &r->min_qty, err)) ||
           (rec->field[6] && legacy_record_int(rec, 6, &r->customer, err));
}

/* STEUER|Region|TaxCd|Rate|ValidFrom */
static int loadRate(void *ctx, const struct legacy_record *rec,
                    struct legacy_error *err)
{
    struct billing_db *db = ctx;
    struct tax_rate *t;

    if (legacy_record_expect(rec, 5, err))
        return -1;
    if (!rec->field[1] || strlen(rec->field[1]) < 4 || rec->field[1][2] != '-')
        return legacy_record_fail(rec, err, "Region: CC-XX");
    t = legacy_record_append(db->pool, rec, (void **)&db->rates, &db->nrates,
                             &db->rates_cap, sizeof *t, err);
    if (!t)
        return -1;
    t->region = legacy_record_keep(db->pool, rec, 1);
    t->code = legacy_record_keep(db->pool, rec, 2);
    t->valid_from = legacy_record_keep(db->pool, rec, 4);
    return amountField(rec, 3, 2, &t->percent, err);
}

/* RECHNUNG|InvNo|InvDate|CustNo|DueDate|State(OF/BZ/MA)|OrderRef|Paid */
static int loadInvoice(void *ctx, const struct legacy_record *rec,
                       struct legacy_error *err)
{
    struct billing_db *db = ctx;
    struct invoice *inv;

    if (legacy_record_expect(rec, 8, err))
        return -1;
    if (!isInvoiceNumber(rec->field[1]) || findInvoice(db, rec->field[1]))
        return legacy_record_fail(rec, err, "bad or repeated InvNo");
    if (!rec->field[5] || strlen(rec->field[5]) != 2 ||
        !strstr("OF BZ MA", rec->field[5]))
        return legacy_record_fail(rec, err, "State: OF, BZ or MA");
    inv = legacy_record_append(db->pool, rec, (void **)&db->invoices,
                               &db->ninvoices, &db->invoices_cap, sizeof *inv,
                               err);
    if (!inv)
        return -1;
    inv->id = legacy_record_keep(db->pool, rec, 1);
    inv->date = legacy_record_keep(db->pool, rec, 2);
    inv->due = legacy_record_keep(db->pool, rec, 4);
    inv->state = legacy_record_keep(db->pool, rec, 5);
    inv->order = legacy_record_keep(db->pool, rec, 6);
    inv->paid = legacy_record_keep(db->pool, rec, 7);
    if (legacy_record_int(rec, 3, &inv->customer, err))
        return -1;
    if (!findCustomer(db, inv->customer))
        return legacy_record_fail(rec, err, "CustNo without KUNDE record");
    return 0;
}

static int checkPosition(struct billing_db *db, const struct invoice *inv,
                         const struct legacy_record *rec,
                         struct legacy_error *err)
{
    const char *kind = rec->field[3];
    struct tax_group groups[MAX_TAX_GROUPS];

    if (!kind || strlen(kind) != 1 || !strchr("NRF", kind[0]))
        return legacy_record_fail(rec, err, "kind: N, R or F");
    if (!rec->field[10] || !rec->field[9] ||
        !findRate(db, rec->field[10], rec->field[9]))
        return legacy_record_fail(rec, err, "no STEUER record for %s %s",
                                  rec->field[10] ? rec->field[10] : "",
                                  rec->field[9] ? rec->field[9] : "");
    if (groupTaxes(db, inv, groups) == MAX_TAX_GROUPS)
        return legacy_record_fail(rec, err,
                                  "an invoice has at most %d "
                                  "tax groups",
                                  MAX_TAX_GROUPS);
    return 0;
}

/* RPOS|InvNo|PosNo|kind|ArtNo|Text|Qty|Unit|UnitPrice|TaxCd|Region */
static int loadPosition(void *ctx, const struct legacy_record *rec,
                        struct legacy_error *err)
{
    struct billing_db *db = ctx;
    struct invoice *inv;
    struct position *p;

    if (legacy_record_expect(rec, 11, err))
        return -1;
    inv = findInvoice(db, rec->field[1]);
    if (!inv)
        return legacy_record_fail(rec, err, "no RECHNUNG record before");
    if (checkPosition(db, inv, rec, err))
        return -1;
    p = legacy_record_append(db->pool, rec, (void **)&inv->positions,
                             &inv->npositions, &inv->positions_cap, sizeof *p,
                             err);
    if (!p)
        return -1;
    p->kind = rec->field[3][0];
    p->article = legacy_record_keep(db->pool, rec, 4);
    p->text = legacy_record_keep(db->pool, rec, 5);
    p->qty_text = legacy_record_keep(db->pool, rec, 6);
    p->unit = legacy_record_keep(db->pool, rec, 7);
    p->code = legacy_record_keep(db->pool, rec, 9);
    p->region = legacy_record_keep(db->pool, rec, 10);
    return legacy_record_int(rec, 2, &p->no, err) ||
           amountField(rec, 6, 3, &p->qty, err) ||
           amountField(rec, 8, 2, &p->unit_price, err);
}

static const struct legacy_record_kind recordKinds[] = {
    {"KUNDE", loadCustomer}, {"ARTIKEL", loadArticle},  {"REGEL", loadRule},
    {"STEUER", loadRate},    {"RECHNUNG", loadInvoice}, {"RPOS", loadPosition},
};

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    struct billing_db db = {0};
    const struct legacy_program program = {
        .name = "billing-service",
        .default_data = LEGACY_DATA_DIR "/billing.dat",
        .pool_limit = POOL_LIMIT,
        .kinds = recordKinds,
        .nkinds = sizeof recordKinds / sizeof recordKinds[0],
        .service = {.serve = soap_serve, .db = &db},
        .pool = &db.pool,
    };

    return legacy_main(argc, argv, &program);
}
