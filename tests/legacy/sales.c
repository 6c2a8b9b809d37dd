/*
 * sales-service: the demo CRM "Vertrieb" (wsdl/sales.wsdl, SalesService):
 * customers, contacts, contracts and the plan catalogue, document/literal
 * SOAP 1.1. Like the old system it stands in for, it answers in
 * ISO-8859-1, numbers customers "K-004711" and writes dates as YYYYMMDD.
 *
 *   sales-service --port PORT [--data FILE]
 *
 * The database is seeded from tests/legacy/data/sales.dat (format at the
 * top of that file) and kept in memory; UpdateContact and ChangePlan
 * change it until the process ends. The operations below are called by
 * the soapcpp2-generated dispatcher (tests/legacy/gen/salesServer.c).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy.h"
#include "salesH.h"

/* soapcpp2's namespace table: defined once, in this program. */
#include "SalesBinding.nsmap"

#ifndef LEGACY_DATA_DIR
#define LEGACY_DATA_DIR "tests/legacy/data"
#endif

#define POOL_LIMIT (4u << 20)

struct contact {
    char *person, *phone, *email, *fax;
};

struct customer {
    char *id; /* KDNR */
    char *name1, *name2;
    char addr_kind; /* H, L or R */
    char *street, *house, *postcode, *city, *country;
    struct contact contact;
    char segment; /* A, B or C */
    int blocked;
    char *since;      /* YYYYMMDD */
    char *changed_by; /* GeaendertVon of the last UpdateContact */
};

struct plan {
    char *code, *name, *fee;
    int min_months;
    int orderable;
};

struct discount {
    char *code, *name, *percent, *until;
};

struct contract {
    char *id, *customer, *plan, *fee;
    char *begins, *term_ends, *currency;
    char state; /* A, G or R */
    struct discount *discounts;
    int ndiscounts, discounts_cap;
    char *next_plan, *next_from; /* an ordered plan change */
    char *next_fee;
};

struct sales_db {
    struct legacy_pool *pool;
    struct legacy_clock clock;
    int next_order; /* number of the next plan change order */
    struct customer *customers;
    int ncustomers, customers_cap;
    struct plan *plans;
    int nplans, plans_cap;
    struct contract *contracts;
    int ncontracts, contracts_cap;
};

/* ---- lookups ------------------------------------------------------------- */

static struct customer *findCustomer(struct sales_db *db, const char *id)
{
    return legacy_find(db->customers, db->ncustomers, sizeof *db->customers,
                       offsetof(struct customer, id), id);
}

static struct plan *findPlan(struct sales_db *db, const char *code)
{
    return legacy_find(db->plans, db->nplans, sizeof *db->plans,
                       offsetof(struct plan, code), code);
}

static struct contract *findContract(struct sales_db *db, const char *id)
{
    return legacy_find(db->contracts, db->ncontracts, sizeof *db->contracts,
                       offsetof(struct contract, id), id);
}

/* The customer's current contract: the last one begun that is not
 * terminated (a suspended one is still current). */
static struct contract *currentContract(struct sales_db *db,
                                        const char *customer)
{
    struct contract *best = NULL;

    for (int i = 0; i < db->ncontracts; i++) {
        struct contract *c = &db->contracts[i];

        if (strcmp(c->customer, customer) || c->state == 'G')
            continue;
        if (!best || strcmp(c->begins, best->begins) > 0)
            best = c;
    }
    return best;
}

static int isCustomerNumber(const char *s)
{
    if (!s || strlen(s) != 8 || strncmp(s, "K-", 2))
        return 0;
    return strspn(s + 2, "0123456789") == 6;
}

static void today(const struct sales_db *db, char out[9])
{
    struct tm tm;

    legacy_clock_now(&db->clock, &tm);
    strftime(out, 9, "%Y%m%d", &tm);
}

/* An ordered plan change takes effect on its day. */
static void applyDuePlanChange(struct sales_db *db, struct contract *c)
{
    char now[9];

    today(db, now);
    if (!c->next_plan || strcmp(now, c->next_from) < 0)
        return;
    c->plan = c->next_plan;
    c->fee = c->next_fee;
    c->next_plan = c->next_from = c->next_fee = NULL;
}

/* ---- faults -------------------------------------------------------------- */

enum sales_fault { UNKNOWN_CUSTOMER, VALIDATION };

static int salesFault(struct soap *soap, enum sales_fault kind,
                      const char *code, const char *field, const char *reason,
                      const char *text)
{
    struct crm__FaultDetailType *d = soap_new_crm__FaultDetailType(soap, -1);
    struct SOAP_ENV__Detail *detail = soap_new_SOAP_ENV__Detail(soap, -1);

    legacy_sender_fault(soap, reason);
    if (!d || !detail)
        return SOAP_FAULT;
    d->FehlerCd = (char *)code;
    d->Feld = (char *)field;
    d->Text = legacy_dup(soap, text);
    if (kind == UNKNOWN_CUSTOMER)
        detail->crm__UnknownCustomerFault = d;
    else
        detail->crm__ValidationFault = d;
    LEGACY_ATTACH_DETAIL(soap, detail);
    return SOAP_FAULT;
}

static int unknownCustomer(struct soap *soap, const char *id)
{
    return salesFault(
        soap, UNKNOWN_CUSTOMER, "CRM-E100", "KDNR",
        legacy_printf(soap, "Kunde %s unbekannt", id),
        legacy_printf(soap, "Kein Kunde mit KDNR %s im Kundenstamm.", id));
}

static int badCustomerNumber(struct soap *soap, const char *id)
{
    return salesFault(soap, VALIDATION, "CRM-E001", "KDNR", "KDNR ungueltig",
                      legacy_printf(soap,
                                    "KDNR '%s' hat nicht das Format K-nnnnnn.",
                                    id ? id : ""));
}

static int databaseFull(struct soap *soap)
{
    return legacy_receiver_fault(soap, "CRM-E900 Datenbank voll");
}

/* Check the customer number of a request; SOAP_OK or a fault. */
static int checkCustomer(struct soap *soap, struct sales_db *db, const char *id,
                         struct customer **out)
{
    if (!isCustomerNumber(id))
        return badCustomerNumber(soap, id);
    *out = findCustomer(db, id);
    if (!*out)
        return unknownCustomer(soap, id);
    return SOAP_OK;
}

/* ---- GetCustomer --------------------------------------------------------- */

/* The stored contact as the CRM writes it: no fax is <Fax xsi:nil="true">. */
static void copyContact(struct soap *soap, const struct contact *c,
                        struct crm__ContactType *out)
{
    out->AnsprPartner = legacy_dup(soap, c->person);
    out->Tel = legacy_dup(soap, c->phone);
    out->EMail = legacy_dup(soap, c->email);
    out->Fax.__item = legacy_dup(soap, c->fax);
    if (!c->fax)
        out->Fax.xsi__nil = "true";
}

static struct cmn__AddressType *copyAddress(struct soap *soap,
                                            const struct customer *c)
{
    struct cmn__AddressType *out = soap_new_cmn__AddressType(soap, -1);

    if (!out)
        return NULL;
    out->kind = soap_malloc(soap, sizeof *out->kind);
    if (out->kind)
        *out->kind = (enum cmn__AddrKind)c->addr_kind;
    out->Str = legacy_dup(soap, c->street);
    out->HNr = legacy_dup(soap, c->house);
    out->PLZ = legacy_dup(soap, c->postcode);
    out->Ort = legacy_dup(soap, c->city);
    out->Land = legacy_dup(soap, c->country);
    return out;
}

static struct crm__CustomerType *copyCustomer(struct soap *soap,
                                              const struct customer *c)
{
    struct crm__CustomerType *out = soap_new_crm__CustomerType(soap, -1);

    if (!out)
        return NULL;
    out->KDNR = legacy_dup(soap, c->id);
    out->Name1 = legacy_dup(soap, c->name1);
    out->Name2 = legacy_dup(soap, c->name2);
    out->Adr = copyAddress(soap, c);
    copyContact(soap, &c->contact, &out->Kontakt);
    out->Segment = (enum crm__Segment)c->segment;
    out->Sperre = c->blocked ? xsd__boolean__true_ : xsd__boolean__false_;
    out->AnlDat = legacy_dup(soap, c->since);
    return out;
}

int __crm__GetCustomer(struct soap *soap, struct _crm__GetCustomerRequest *in,
                       struct _crm__GetCustomerResponse *out)
{
    struct sales_db *db;
    struct customer *c;
    int rc = legacy_check_request(soap, 1, "urn:crm:sales:GetCustomer");

    if (rc)
        return rc;
    db = legacy_lock(soap);
    rc = checkCustomer(soap, db, in->KDNR, &c);
    if (rc == SOAP_OK)
        out->Kunde = copyCustomer(soap, c);
    legacy_unlock(soap);
    return rc;
}

/* ---- UpdateContact ------------------------------------------------------- */

/* Leave *field as it is when the element was absent (value NULL), else
 * set it to a pool copy of value (an empty value deletes). -1 when the
 * pool is full. */
static int replaceField(struct legacy_pool *pool, char **field,
                        const char *value)
{
    char *copy;

    if (!value)
        return 0;
    if (!*value) {
        *field = NULL;
        return 0;
    }
    copy = legacy_pool_strdup(pool, value);
    if (!copy)
        return -1;
    *field = copy;
    return 0;
}

/* An absent element keeps the stored value; Fax xsi:nil="true" deletes
 * the fax number (typemap-sales.dat gives Fax its xsi:nil attribute). */
static int updateContact(struct soap *soap, struct sales_db *db,
                         struct customer *c,
                         const struct _crm__UpdateContactRequest *in)
{
    const struct crm__ContactType *k = &in->Kontakt;
    struct contact next = c->contact;

    if (replaceField(db->pool, &next.person, k->AnsprPartner) ||
        replaceField(db->pool, &next.phone, k->Tel) ||
        replaceField(db->pool, &next.email, k->EMail) ||
        replaceField(db->pool, &next.fax, k->Fax.__item) ||
        replaceField(db->pool, &c->changed_by, in->GeaendertVon))
        return databaseFull(soap);
    if (!k->Fax.__item && k->Fax.xsi__nil &&
        (!strcmp(k->Fax.xsi__nil, "true") || !strcmp(k->Fax.xsi__nil, "1")))
        next.fax = NULL;
    c->contact = next;
    return SOAP_OK;
}

int __crm__UpdateContact(struct soap *soap,
                         struct _crm__UpdateContactRequest *in,
                         struct _crm__UpdateContactResponse *out)
{
    struct sales_db *db;
    struct customer *c;
    struct tm now;
    int rc = legacy_check_request(soap, 1, "urn:crm:sales:UpdateContact");

    if (rc)
        return rc;
    db = legacy_lock(soap);
    rc = checkCustomer(soap, db, in->KDNR, &c);
    if (rc == SOAP_OK)
        rc = updateContact(soap, db, c, in);
    if (rc == SOAP_OK) {
        legacy_clock_now(&db->clock, &now);
        out->RC = "0000";
        out->KDNR = legacy_dup(soap, c->id);
        copyContact(soap, &c->contact, &out->Kontakt);
        out->AendTS = legacy_strftime(soap, "%Y%m%d%H%M%S", &now);
    }
    legacy_unlock(soap);
    return rc;
}

/* ---- GetContract --------------------------------------------------------- */

/* RabattProz: the sum of the discounts' percentages. */
static char *sumPercent(struct soap *soap, const struct contract *c)
{
    long hundredths = 0, p;

    for (int i = 0; i < c->ndiscounts; i++)
        if (!legacy_decimal_parse(c->discounts[i].percent, 2, &p))
            hundredths += p;
    return legacy_decimal_text(soap, hundredths, 2);
}

static void copyDiscounts(struct soap *soap, const struct contract *c,
                          struct crm__ContractType *out)
{
    struct crm__DiscountType *d =
        soap_new_crm__DiscountType(soap, c->ndiscounts);

    if (!d || !c->ndiscounts)
        return;
    for (int i = 0; i < c->ndiscounts; i++) {
        d[i].RabKz = legacy_dup(soap, c->discounts[i].code);
        d[i].Bez = legacy_dup(soap, c->discounts[i].name);
        d[i].Proz = legacy_dup(soap, c->discounts[i].percent);
        d[i].GueltigBis = legacy_dup(soap, c->discounts[i].until);
    }
    out->Rabatte.Rabatt = d;
    out->Rabatte.__sizeRabatt = c->ndiscounts;
}

static struct crm__ContractType *
copyContract(struct soap *soap, struct sales_db *db, const struct contract *c)
{
    struct crm__ContractType *out = soap_new_crm__ContractType(soap, -1);
    const struct plan *p = findPlan(db, c->plan);

    if (!out)
        return NULL;
    out->VertrNr = legacy_dup(soap, c->id);
    out->KDNR = legacy_dup(soap, c->customer);
    out->TarifCd = legacy_dup(soap, c->plan);
    out->TarifBez = legacy_dup(soap, p ? p->name : "?");
    out->MonGeb = legacy_dup(soap, c->fee);
    out->RabattProz = sumPercent(soap, c);
    copyDiscounts(soap, c, out);
    out->Beginn = legacy_dup(soap, c->begins);
    out->LaufzEnde = legacy_dup(soap, c->term_ends);
    out->Status = (enum crm__ContractState)c->state;
    out->waehrung = legacy_dup(soap, c->currency);
    return out;
}

static int noContract(struct soap *soap, const char *customer, const char *id)
{
    return salesFault(
        soap, VALIDATION, "CRM-E210", "VertrNr", "Vertrag nicht gefunden",
        id ? legacy_printf(soap, "Vertrag %s gehoert nicht zu Kunde %s.", id,
                           customer)
           : legacy_printf(soap, "Kunde %s hat keinen aktiven Vertrag.",
                           customer));
}

/* The contract a request names (VertrNr) or the current one. */
static int pickContract(struct soap *soap, struct sales_db *db,
                        const char *customer, const char *id,
                        struct contract **out)
{
    struct contract *c =
        id ? findContract(db, id) : currentContract(db, customer);

    if (!c || strcmp(c->customer, customer))
        return noContract(soap, customer, id);
    applyDuePlanChange(db, c);
    *out = c;
    return SOAP_OK;
}

int __crm__GetContract(struct soap *soap, struct _crm__GetContractRequest *in,
                       struct _crm__GetContractResponse *out)
{
    struct sales_db *db;
    struct customer *cust;
    struct contract *c;
    int rc = legacy_check_request(soap, 1, "urn:crm:sales:GetContract");

    if (rc)
        return rc;
    db = legacy_lock(soap);
    rc = checkCustomer(soap, db, in->KDNR, &cust);
    if (rc == SOAP_OK)
        rc = pickContract(soap, db, cust->id, in->VertrNr, &c);
    if (rc == SOAP_OK)
        out->Vertrag = copyContract(soap, db, c);
    legacy_unlock(soap);
    return rc;
}

/* ---- ChangePlan ---------------------------------------------------------- */

static int badPlanChange(struct soap *soap, const char *code, const char *field,
                         const char *text)
{
    return salesFault(soap, VALIDATION, code, field, "Tarifwechsel abgelehnt",
                      text);
}

/* A plan change starts on the first of a month, not in the past. */
static int checkEffectiveDate(struct soap *soap, struct sales_db *db,
                              const char *date)
{
    char now[9];

    today(db, now);
    if (!date || strlen(date) != 8 || strspn(date, "0123456789") != 8 ||
        strcmp(date + 6, "01"))
        return badPlanChange(
            soap, "CRM-E230", "WirkDat",
            "Tarifwechsel nur zum Monatsersten (WirkDat JJJJMM01).");
    if (strcmp(date, now) < 0)
        return badPlanChange(soap, "CRM-E231", "WirkDat",
                             "WirkDat liegt in der Vergangenheit.");
    return SOAP_OK;
}

static int checkNewPlan(struct soap *soap, struct sales_db *db,
                        const struct contract *c, const char *code,
                        struct plan **out)
{
    struct plan *p = findPlan(db, code);

    if (!p)
        return badPlanChange(
            soap, "CRM-E220", "NeuTarifCd",
            legacy_printf(soap, "Tarif %s unbekannt.", code ? code : ""));
    if (!p->orderable)
        return badPlanChange(
            soap, "CRM-E221", "NeuTarifCd",
            legacy_printf(soap, "Tarif %s ist nicht mehr bestellbar.", code));
    if (!strcmp(c->plan, code))
        return badPlanChange(
            soap, "CRM-E222", "NeuTarifCd",
            legacy_printf(soap, "Tarif %s ist bereits aktiv.", code));
    *out = p;
    return SOAP_OK;
}

static int orderPlanChange(struct soap *soap, struct sales_db *db,
                           struct contract *c, const struct plan *p,
                           const char *date,
                           struct _crm__ChangePlanResponse *out)
{
    struct tm now;
    char *from = legacy_pool_strdup(db->pool, date);

    if (!from)
        return databaseFull(soap);
    legacy_clock_now(&db->clock, &now);
    out->RC = "0000";
    out->AuftrNr = legacy_printf(soap, "TW-%04d-%06d", now.tm_year + 1900,
                                 db->next_order++);
    out->AltTarifCd = legacy_dup(soap, c->plan);
    out->NeuTarifCd = legacy_dup(soap, p->code);
    out->WirkDat = legacy_dup(soap, date);
    out->NeuMonGeb = legacy_dup(soap, p->fee);
    c->next_plan = p->code;
    c->next_fee = p->fee;
    c->next_from = from;
    applyDuePlanChange(db, c);
    return SOAP_OK;
}

int __crm__ChangePlan(struct soap *soap, struct _crm__ChangePlanRequest *in,
                      struct _crm__ChangePlanResponse *out)
{
    struct sales_db *db;
    struct customer *cust;
    struct contract *c = NULL;
    struct plan *p = NULL;
    int rc = legacy_check_request(soap, 1, "urn:crm:sales:ChangePlan");

    if (rc)
        return rc;
    db = legacy_lock(soap);
    rc = checkCustomer(soap, db, in->KDNR, &cust);
    if (rc == SOAP_OK)
        rc = pickContract(soap, db, cust->id, in->VertrNr, &c);
    if (rc == SOAP_OK)
        rc = checkNewPlan(soap, db, c, in->NeuTarifCd, &p);
    if (rc == SOAP_OK)
        rc = checkEffectiveDate(soap, db, in->WirkDat);
    if (rc == SOAP_OK)
        rc = orderPlanChange(soap, db, c, p, in->WirkDat, out);
    legacy_unlock(soap);
    return rc;
}

/* ---- ListPlans ----------------------------------------------------------- */

int __crm__ListPlans(struct soap *soap, struct _crm__ListPlansRequest *in,
                     struct _crm__ListPlansResponse *out)
{
    struct sales_db *db;
    struct crm__PlanType *t;
    int only_orderable = in->NurAktiv && *in->NurAktiv;
    int rc = legacy_check_request(soap, 1, "urn:crm:sales:ListPlans");

    if (rc)
        return rc;
    db = legacy_lock(soap);
    t = soap_new_crm__PlanType(soap, db->nplans);
    for (int i = 0; t && i < db->nplans; i++) {
        const struct plan *p = &db->plans[i];

        if (only_orderable && !p->orderable)
            continue;
        t[out->__sizeTarif].TarifCd = legacy_dup(soap, p->code);
        t[out->__sizeTarif].TarifBez = legacy_dup(soap, p->name);
        t[out->__sizeTarif].MonGeb = legacy_dup(soap, p->fee);
        t[out->__sizeTarif].MinLaufzMon = p->min_months;
        out->__sizeTarif++;
    }
    out->Tarif = t;
    legacy_unlock(soap);
    return SOAP_OK;
}

/* ---- seed data ----------------------------------------------------------- */

/* KUNDE|KDNR|Name1|Name2|Segment|Sperre|AnlDat */
static int loadCustomer(void *ctx, const struct legacy_record *rec,
                        struct legacy_error *err)
{
    struct sales_db *db = ctx;
    struct customer *c;

    if (legacy_record_expect(rec, 7, err))
        return -1;
    if (!isCustomerNumber(rec->field[1]) || findCustomer(db, rec->field[1]))
        return legacy_record_fail(rec, err, "bad or repeated KDNR");
    c = legacy_record_append(db->pool, rec, (void **)&db->customers,
                             &db->ncustomers, &db->customers_cap, sizeof *c,
                             err);
    if (!c)
        return -1;
    c->id = legacy_record_keep(db->pool, rec, 1);
    c->name1 = legacy_record_keep(db->pool, rec, 2);
    c->name2 = legacy_record_keep(db->pool, rec, 3);
    c->since = legacy_record_keep(db->pool, rec, 6);
    c->addr_kind = 'H';
    if (legacy_record_code(rec, 4, "ABC", &c->segment, err) ||
        legacy_record_flag(rec, 5, &c->blocked, err))
        return -1;
    return 0;
}

static struct customer *customerOf(struct sales_db *db,
                                   const struct legacy_record *rec,
                                   struct legacy_error *err)
{
    struct customer *c = findCustomer(db, rec->field[1]);

    if (!c)
        legacy_record_fail(rec, err, "KDNR %s: no KUNDE record before",
                           rec->field[1] ? rec->field[1] : "");
    return c;
}

/* ADR|KDNR|Art|Str|HNr|PLZ|Ort|Land */
static int loadAddress(void *ctx, const struct legacy_record *rec,
                       struct legacy_error *err)
{
    struct sales_db *db = ctx;
    struct customer *c;

    if (legacy_record_expect(rec, 8, err) || !(c = customerOf(db, rec, err)))
        return -1;
    if (legacy_record_code(rec, 2, "HLR", &c->addr_kind, err))
        return -1;
    c->street = legacy_record_keep(db->pool, rec, 3);
    c->house = legacy_record_keep(db->pool, rec, 4);
    c->postcode = legacy_record_keep(db->pool, rec, 5);
    c->city = legacy_record_keep(db->pool, rec, 6);
    c->country = legacy_record_keep(db->pool, rec, 7);
    return 0;
}

/* KONTAKT|KDNR|AnsprPartner|Tel|EMail|Fax */
static int loadContact(void *ctx, const struct legacy_record *rec,
                       struct legacy_error *err)
{
    struct sales_db *db = ctx;
    struct customer *c;

    if (legacy_record_expect(rec, 6, err) || !(c = customerOf(db, rec, err)))
        return -1;
    c->contact.person = legacy_record_keep(db->pool, rec, 2);
    c->contact.phone = legacy_record_keep(db->pool, rec, 3);
    c->contact.email = legacy_record_keep(db->pool, rec, 4);
    c->contact.fax = legacy_record_keep(db->pool, rec, 5);
    return 0;
}

/* TARIF|TarifCd|TarifBez|MonGeb|MinLaufzMon|Bestellbar */
static int loadPlan(void *ctx, const struct legacy_record *rec,
                    struct legacy_error *err)
{
    struct sales_db *db = ctx;
    struct plan *p;

    if (legacy_record_expect(rec, 6, err))
        return -1;
    p = legacy_record_append(db->pool, rec, (void **)&db->plans, &db->nplans,
                             &db->plans_cap, sizeof *p, err);
    if (!p)
        return -1;
    p->code = legacy_record_keep(db->pool, rec, 1);
    p->name = legacy_record_keep(db->pool, rec, 2);
    p->fee = legacy_record_keep(db->pool, rec, 3);
    return legacy_record_int(rec, 4, &p->min_months, err) ||
           legacy_record_flag(rec, 5, &p->orderable, err);
}

/* VERTRAG|VertrNr|KDNR|TarifCd|MonGeb|Beginn|LaufzEnde|Status|Waehrung */
static int loadContract(void *ctx, const struct legacy_record *rec,
                        struct legacy_error *err)
{
    struct sales_db *db = ctx;
    struct contract *c;

    if (legacy_record_expect(rec, 9, err))
        return -1;
    if (!findCustomer(db, rec->field[2]) || !findPlan(db, rec->field[3]))
        return legacy_record_fail(rec, err, "unknown KDNR or TarifCd");
    c = legacy_record_append(db->pool, rec, (void **)&db->contracts,
                             &db->ncontracts, &db->contracts_cap, sizeof *c,
                             err);
    if (!c)
        return -1;
    c->id = legacy_record_keep(db->pool, rec, 1);
    c->customer = legacy_record_keep(db->pool, rec, 2);
    c->plan = legacy_record_keep(db->pool, rec, 3);
    c->fee = legacy_record_keep(db->pool, rec, 4);
    c->begins = legacy_record_keep(db->pool, rec, 5);
    c->term_ends = legacy_record_keep(db->pool, rec, 6);
    c->currency = legacy_record_keep(db->pool, rec, 8);
    return legacy_record_code(rec, 7, "AGR", &c->state, err);
}

/* RABATT|VertrNr|RabKz|Bez|Proz|GueltigBis */
static int loadDiscount(void *ctx, const struct legacy_record *rec,
                        struct legacy_error *err)
{
    struct sales_db *db = ctx;
    struct contract *c;
    struct discount *d;

    if (legacy_record_expect(rec, 6, err))
        return -1;
    c = findContract(db, rec->field[1]);
    if (!c)
        return legacy_record_fail(rec, err, "no VERTRAG record before");
    d = legacy_record_append(db->pool, rec, (void **)&c->discounts,
                             &c->ndiscounts, &c->discounts_cap, sizeof *d, err);
    if (!d)
        return -1;
    d->code = legacy_record_keep(db->pool, rec, 2);
    d->name = legacy_record_keep(db->pool, rec, 3);
    d->percent = legacy_record_keep(db->pool, rec, 4);
    d->until = legacy_record_keep(db->pool, rec, 5);
    return 0;
}

/* UHR|YYYYMMDDhhmmss and NUMMER|TW|next */
static int loadSetting(void *ctx, const struct legacy_record *rec,
                       struct legacy_error *err)
{
    struct sales_db *db = ctx;

    return legacy_record_setting(rec, &db->clock, &db->next_order, err);
}

static const struct legacy_record_kind recordKinds[] = {
    {"UHR", loadSetting},      {"NUMMER", loadSetting},
    {"KUNDE", loadCustomer},   {"ADR", loadAddress},
    {"KONTAKT", loadContact},  {"TARIF", loadPlan},
    {"VERTRAG", loadContract}, {"RABATT", loadDiscount},
};

/* ---- main ---------------------------------------------------------------- */

static void prepareConnection(struct soap *soap)
{
    legacy_answer_latin1(soap);
}

int main(int argc, char **argv)
{
    struct sales_db db = {0};
    const struct legacy_program program = {
        .name = "sales-service",
        .default_data = LEGACY_DATA_DIR "/sales.dat",
        .pool_limit = POOL_LIMIT,
        .kinds = recordKinds,
        .nkinds = sizeof recordKinds / sizeof recordKinds[0],
        .service = {.serve = soap_serve,
                    .prepare = prepareConnection,
                    .db = &db},
        .pool = &db.pool,
    };

    return legacy_main(argc, argv, &program);
}
