/*
 * ticket-service: the demo help desk "HelpDesk 5" (wsdl/ticket.wsdl,
 * TicketService): tickets with notes, document/literal over SOAP 1.2.
 * Customers are the CRM numbers (K-004711), priorities P1..P4, states
 * NEU/IBA/WRT/ERL, times Europe/Berlin wall-clock "DD.MM.YYYY hh:mm".
 *
 *   ticket-service --port PORT [--data FILE]
 *
 * CreateTicket numbers new tickets on from the data file's counter and
 * keeps them in memory. Seeded from tests/legacy/data/ticket.dat (format
 * in that file).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy.h"
#include "ticketH.h"

/* soapcpp2's namespace table: defined once, in this program. */
#include "TicketBinding.nsmap"

#ifndef LEGACY_DATA_DIR
#define LEGACY_DATA_DIR "tests/legacy/data"
#endif

#define POOL_LIMIT (8u << 20)
#define MAX_TICKETS 100000
#define SUBJECT_MAX 80 /* characters, as the WSDL says */
#define TEXT_MAX 4000  /* characters */
#define DEFAULT_MAX_COUNT 50
/* The SOAP 1.2 action of an operation (wsdl/ticket.wsdl). */
#define ACTION(op) "urn:helpdesk:tickets:2011#" op

struct note {
    char *at, *author, *text;
    int internal;
};

struct ticket {
    char *id, *customer, *subject, *text, *prio, *state;
    char *created, *changed, *assignee, *channel;
    char order[13]; /* created as YYYYMMDDhhmm, for sorting */
    struct note *notes;
    int nnotes, notes_cap;
};

struct ticket_db {
    struct legacy_pool *pool;
    struct legacy_clock clock;
    int next_id;
    struct legacy_strings customers;
    struct ticket *tickets;
    int ntickets, tickets_cap;
};

/* ---- lookups ------------------------------------------------------------- */

static struct ticket *findTicket(struct ticket_db *db, const char *id)
{
    return legacy_find(db->tickets, db->ntickets, sizeof *db->tickets,
                       offsetof(struct ticket, id), id);
}

static int isCustomerNumber(const char *s)
{
    return s && !strncmp(s, "K-", 2) && legacy_is_digits(s + 2, 6);
}

/* Characters (not bytes) of a UTF-8 string. */
static size_t countChars(const char *s)
{
    size_t n = 0;

    for (; s && *s; s++)
        if ((*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* "DD.MM.YYYY hh:mm" -> "YYYYMMDDhhmm"; -1 when malformed. */
static int sortKey(const char *local, char out[13])
{
    int d, m, y, hh, mm;
    char rest;

    if (!local || strlen(local) != 16 ||
        sscanf(local, "%2d.%2d.%4d %2d:%2d%c", &d, &m, &y, &hh, &mm, &rest) !=
            5)
        return -1;
    snprintf(out, 13, "%04d%02d%02d%02d%02d", y, m, d, hh, mm);
    return 0;
}

/* ---- faults -------------------------------------------------------------- */

enum ticket_fault { UNKNOWN_TICKET, UNKNOWN_CUSTOMER, VALIDATION };

static int ticketFault(struct soap *soap, enum ticket_fault kind,
                       const char *code, const char *field, const char *reason,
                       const char *text)
{
    struct hd__FaultDetailType *d = soap_new_hd__FaultDetailType(soap, -1);
    struct SOAP_ENV__Detail *detail = soap_new_SOAP_ENV__Detail(soap, -1);

    legacy_sender_fault(soap, reason);
    if (!d || !detail)
        return SOAP_FAULT;
    d->ErrCode = (char *)code;
    d->ErrField = (char *)field;
    d->ErrText = legacy_dup(soap, text);
    if (kind == UNKNOWN_TICKET)
        detail->hd__UnknownTicketFault = d;
    else if (kind == UNKNOWN_CUSTOMER)
        detail->hd__UnknownCustomerFault = d;
    else
        detail->hd__ValidationFault = d;
    LEGACY_ATTACH_DETAIL(soap, detail);
    return SOAP_FAULT;
}

static int invalid(struct soap *soap, const char *code, const char *field,
                   const char *reason, const char *text)
{
    return ticketFault(soap, VALIDATION, code, field, reason, text);
}

/* A customer number of a request; SOAP_OK or a fault. */
static int checkCustomer(struct soap *soap, struct ticket_db *db,
                         const char *id)
{
    if (!isCustomerNumber(id))
        return invalid(
            soap, "HD-V001", "KdNr", "Kundennummer ungueltig",
            legacy_printf(soap, "KdNr '%s' ist nicht K-nnnnnn.", id ? id : ""));
    if (legacy_strings_contain(&db->customers, id))
        return SOAP_OK;
    return ticketFault(
        soap, UNKNOWN_CUSTOMER, "HD-K404", "KdNr",
        legacy_printf(soap, "Kunde %s unbekannt", id),
        legacy_printf(soap, "Kunde %s ist im HelpDesk nicht angelegt.", id));
}

/* ---- CreateTicket -------------------------------------------------------- */

/* A required text of at most max characters: empty_code when it is
 * empty, long_code when it is too long. */
static int checkLength(struct soap *soap, const char *field, const char *value,
                       size_t max, const char *empty_code,
                       const char *long_code)
{
    size_t n = countChars(value);

    if (n == 0)
        return invalid(soap, empty_code, field,
                       legacy_printf(soap, "%s fehlt", field),
                       legacy_printf(soap, "Feld %s ist leer.", field));
    if (n <= max)
        return SOAP_OK;
    return invalid(
        soap, long_code, field,
        legacy_printf(soap, "%s zu lang (max. %zu Zeichen)", field, max),
        legacy_printf(soap, "Feld %s: %zu Zeichen, erlaubt sind %zu.", field, n,
                      max));
}

static int checkNewTicket(struct soap *soap, struct ticket_db *db,
                          const struct _hd__CreateTicket *in)
{
    static const char *const channels[] = {"BOT", "TEL", "MAIL", "WEB",
                                           "PORTAL"};
    int rc = checkCustomer(soap, db, in->KdNr);

    if (rc == SOAP_OK)
        rc = checkLength(soap, "Betreff", in->Betreff, SUBJECT_MAX, "HD-V011",
                         "HD-V012");
    if (rc == SOAP_OK)
        rc =
            checkLength(soap, "Text", in->Text, TEXT_MAX, "HD-V013", "HD-V014");
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (in->Kanal && !strcmp(in->Kanal, channels[i]))
            return SOAP_OK;
    return invalid(soap, "HD-V015", "Kanal", "Kanal unbekannt",
                   "Kanal muss BOT, TEL, MAIL, WEB oder PORTAL sein.");
}

/* File the ticket; SOAP_OK or a receiver fault when memory is full. */
static int fileTicket(struct soap *soap, struct ticket_db *db,
                      const struct _hd__CreateTicket *in, struct ticket **out)
{
    struct ticket *t = NULL;
    struct tm now;
    char created[17], id[9];

    legacy_clock_now(&db->clock, &now);
    strftime(created, sizeof created, "%d.%m.%Y %H:%M", &now);
    snprintf(id, sizeof id, "%08d", db->next_id);
    if (db->ntickets < MAX_TICKETS && db->next_id <= 99999999)
        t = legacy_array_push(db->pool, (void **)&db->tickets, &db->ntickets,
                              &db->tickets_cap, sizeof *t);
    if (t) {
        t->id = legacy_pool_strdup(db->pool, id);
        t->customer = legacy_pool_strdup(db->pool, in->KdNr);
        t->subject = legacy_pool_strdup(db->pool, in->Betreff);
        t->text = legacy_pool_strdup(db->pool, in->Text);
        t->prio = legacy_pool_strdup(db->pool, soap_hd__Prio2s(soap, in->Prio));
        t->state = legacy_pool_strdup(db->pool, "NEU");
        t->created = legacy_pool_strdup(db->pool, created);
        t->channel = legacy_pool_strdup(db->pool, in->Kanal);
        sortKey(created, t->order);
    }
    if (!t || legacy_pool_failed(db->pool)) {
        if (t)
            db->ntickets--;
        return legacy_receiver_fault(soap, "HD-E900 Ticketdatenbank voll");
    }
    db->next_id++;
    *out = t;
    return SOAP_OK;
}

int __hd__CreateTicket(struct soap *soap, struct _hd__CreateTicket *in,
                       struct _hd__CreateTicketResponse *out)
{
    struct ticket_db *db;
    struct ticket *t = NULL;
    int rc = legacy_check_request(soap, 2, ACTION("CreateTicket"));

    if (rc)
        return rc;
    db = legacy_lock(soap);
    rc = checkNewTicket(soap, db, in);
    if (rc == SOAP_OK)
        rc = fileTicket(soap, db, in, &t);
    if (rc == SOAP_OK) {
        out->TktNr = legacy_dup(soap, t->id);
        out->Status = hd__State__NEU;
        out->Erfasst = legacy_dup(soap, t->created);
    }
    legacy_unlock(soap);
    return rc;
}

/* ---- GetTicket ----------------------------------------------------------- */

static void copyNotes(struct soap *soap, const struct ticket *t,
                      struct hd__TicketType *out)
{
    struct hd__NoteType *n = soap_new_hd__NoteType(soap, t->nnotes);

    for (int i = 0; n && i < t->nnotes; i++) {
        n[i].Zeit = legacy_dup(soap, t->notes[i].at);
        n[i].Autor = legacy_dup(soap, t->notes[i].author);
        n[i].Text = legacy_dup(soap, t->notes[i].text);
        n[i].intern = soap_malloc(soap, sizeof *n[i].intern);
        if (n[i].intern)
            *n[i].intern = t->notes[i].internal ? xsd__boolean__true_
                                                : xsd__boolean__false_;
    }
    out->Notizen.Notiz = n;
    out->Notizen.__sizeNotiz = n ? t->nnotes : 0;
}

static struct hd__TicketType *copyTicket(struct soap *soap,
                                         const struct ticket *t)
{
    struct hd__TicketType *out = soap_new_hd__TicketType(soap, -1);

    if (!out)
        return NULL;
    out->TktNr = legacy_dup(soap, t->id);
    out->KdNr = legacy_dup(soap, t->customer);
    out->Betreff = legacy_dup(soap, t->subject);
    out->Text = legacy_dup(soap, t->text);
    soap_s2hd__Prio(soap, t->prio, &out->Prio);
    soap_s2hd__State(soap, t->state, &out->Status);
    out->Erfasst = legacy_dup(soap, t->created);
    out->Geaendert = legacy_dup(soap, t->changed);
    out->Bearbeiter = legacy_dup(soap, t->assignee); /* NULL: xsi:nil */
    copyNotes(soap, t, out);
    return out;
}

int __hd__GetTicket(struct soap *soap, struct _hd__GetTicket *in,
                    struct _hd__GetTicketResponse *out)
{
    struct ticket_db *db;
    struct ticket *t;
    int rc = legacy_check_request(soap, 2, ACTION("GetTicket"));

    if (rc)
        return rc;
    if (!legacy_is_digits(in->TktNr, 8))
        return invalid(soap, "HD-V002", "TktNr", "Ticketnummer ungueltig",
                       "TktNr hat acht Ziffern, z. B. 00012345.");
    db = legacy_lock(soap);
    t = findTicket(db, in->TktNr);
    if (t)
        out->Ticket = copyTicket(soap, t);
    else
        rc = ticketFault(
            soap, UNKNOWN_TICKET, "HD-T404", "TktNr",
            legacy_printf(soap, "Ticket %s unbekannt", in->TktNr),
            legacy_printf(soap, "Kein Ticket mit Nummer %s.", in->TktNr));
    legacy_unlock(soap);
    return rc;
}

/* ---- ListTickets --------------------------------------------------------- */

/* Newest first. */
static int newerFirst(const void *a, const void *b)
{
    const struct ticket *x = *(const struct ticket *const *)a;
    const struct ticket *y = *(const struct ticket *const *)b;
    int c = strcmp(y->order, x->order);

    return c ? c : strcmp(y->id, x->id);
}

static void copySummary(struct soap *soap, const struct ticket *t,
                        struct hd__TicketSummary *out)
{
    out->TktNr = legacy_dup(soap, t->id);
    out->Betreff = legacy_dup(soap, t->subject);
    soap_s2hd__Prio(soap, t->prio, &out->Prio);
    soap_s2hd__State(soap, t->state, &out->Status);
    out->Erfasst = legacy_dup(soap, t->created);
}

/* anzahl is the number of tickets that match; MaxAnz limits the list. */
static void answerTickets(struct soap *soap, struct ticket_db *db,
                          const struct _hd__ListTickets *in, int max,
                          struct _hd__ListTicketsResponse *out)
{
    const char *state = in->Status ? soap_hd__State2s(soap, *in->Status) : NULL;
    const struct ticket **hits =
        soap_malloc(soap, sizeof *hits * (size_t)(db->ntickets + 1));
    int n = 0, shown;

    for (int i = 0; hits && i < db->ntickets; i++) {
        const struct ticket *t = &db->tickets[i];

        if (!strcmp(t->customer, in->KdNr) &&
            (!state || !strcmp(t->state, state)))
            hits[n++] = t;
    }
    qsort(hits, (size_t)n, sizeof *hits, newerFirst);
    shown = n < max ? n : max;
    out->Ticket = soap_new_hd__TicketSummary(soap, shown);
    for (int i = 0; out->Ticket && i < shown; i++)
        copySummary(soap, hits[i], &out->Ticket[i]);
    out->__sizeTicket = out->Ticket ? shown : 0;
    out->anzahl = n;
}

int __hd__ListTickets(struct soap *soap, struct _hd__ListTickets *in,
                      struct _hd__ListTicketsResponse *out)
{
    struct ticket_db *db;
    int max = in->MaxAnz ? *in->MaxAnz : DEFAULT_MAX_COUNT;
    int rc = legacy_check_request(soap, 2, ACTION("ListTickets"));

    if (rc)
        return rc;
    if (max < 1)
        return invalid(soap, "HD-V020", "MaxAnz", "MaxAnz ungueltig",
                       "MaxAnz muss mindestens 1 sein.");
    db = legacy_lock(soap);
    rc = checkCustomer(soap, db, in->KdNr);
    if (rc == SOAP_OK)
        answerTickets(soap, db, in, max, out);
    legacy_unlock(soap);
    return rc;
}

/* ---- seed data ----------------------------------------------------------- */

static int codeField(const struct legacy_record *rec, int i,
                     const char *allowed, struct legacy_error *err)
{
    const char *s = rec->field[i];

    if (!s || strlen(s) < 2 || !strstr(allowed, s))
        return legacy_record_fail(rec, err, "field %d: one of %s", i, allowed);
    return 0;
}

/* TICKET|TktNr|KdNr|Betreff|Text|Prio|Status|Erfasst|Geaendert|Bearbeiter */
static int loadTicket(void *ctx, const struct legacy_record *rec,
                      struct legacy_error *err)
{
    struct ticket_db *db = ctx;
    struct ticket *t;

    if (legacy_record_expect(rec, 10, err) ||
        codeField(rec, 5, "P1 P2 P3 P4", err) ||
        codeField(rec, 6, "NEU IBA WRT ERL", err))
        return -1;
    if (!legacy_is_digits(rec->field[1], 8) || findTicket(db, rec->field[1]) ||
        !legacy_strings_contain(&db->customers, rec->field[2]))
        return legacy_record_fail(rec, err,
                                  "bad or repeated TktNr, or KdNr "
                                  "without KUNDE record");
    t = legacy_record_append(db->pool, rec, (void **)&db->tickets,
                             &db->ntickets, &db->tickets_cap, sizeof *t, err);
    if (!t)
        return -1;
    t->id = legacy_record_keep(db->pool, rec, 1);
    t->customer = legacy_record_keep(db->pool, rec, 2);
    t->subject = legacy_record_keep(db->pool, rec, 3);
    t->text = legacy_record_keep(db->pool, rec, 4);
    t->prio = legacy_record_keep(db->pool, rec, 5);
    t->state = legacy_record_keep(db->pool, rec, 6);
    t->created = legacy_record_keep(db->pool, rec, 7);
    t->changed = legacy_record_keep(db->pool, rec, 8);
    t->assignee = legacy_record_keep(db->pool, rec, 9);
    if (sortKey(t->created, t->order))
        return legacy_record_fail(rec, err, "Erfasst: DD.MM.YYYY hh:mm");
    return 0;
}

/* NOTIZ|TktNr|Zeit|Autor|intern(J/N)|Text */
static int loadNote(void *ctx, const struct legacy_record *rec,
                    struct legacy_error *err)
{
    struct ticket_db *db = ctx;
    struct ticket *t;
    struct note *n;

    if (legacy_record_expect(rec, 6, err))
        return -1;
    t = findTicket(db, rec->field[1]);
    if (!t)
        return legacy_record_fail(rec, err, "no TICKET record before");
    if (!rec->field[4] ||
        (strcmp(rec->field[4], "J") && strcmp(rec->field[4], "N")))
        return legacy_record_fail(rec, err, "intern: J or N");
    n = legacy_record_append(db->pool, rec, (void **)&t->notes, &t->nnotes,
                             &t->notes_cap, sizeof *n, err);
    if (!n)
        return -1;
    n->at = legacy_record_keep(db->pool, rec, 2);
    n->author = legacy_record_keep(db->pool, rec, 3);
    n->internal = !strcmp(rec->field[4], "J");
    n->text = legacy_record_keep(db->pool, rec, 5);
    return 0;
}

/* KUNDE|KdNr */
static int loadCustomer(void *ctx, const struct legacy_record *rec,
                        struct legacy_error *err)
{
    struct ticket_db *db = ctx;

    if (legacy_record_expect(rec, 2, err))
        return -1;
    if (!isCustomerNumber(rec->field[1]))
        return legacy_record_fail(rec, err, "KdNr: K-nnnnnn");
    return legacy_record_add_string(db->pool, rec, 1, &db->customers, err);
}

/* UHR|YYYYMMDDhhmmss and NUMMER|TktNr|next */
static int loadSetting(void *ctx, const struct legacy_record *rec,
                       struct legacy_error *err)
{
    struct ticket_db *db = ctx;

    return legacy_record_setting(rec, &db->clock, &db->next_id, err);
}

static const struct legacy_record_kind recordKinds[] = {
    {"UHR", loadSetting},   {"NUMMER", loadSetting}, {"KUNDE", loadCustomer},
    {"TICKET", loadTicket}, {"NOTIZ", loadNote},
};

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    struct ticket_db db = {.next_id = 1};
    const struct legacy_program program = {
        .name = "ticket-service",
        .default_data = LEGACY_DATA_DIR "/ticket.dat",
        .pool_limit = POOL_LIMIT,
        .kinds = recordKinds,
        .nkinds = sizeof recordKinds / sizeof recordKinds[0],
        .service = {.serve = soap_serve, .db = &db},
        .pool = &db.pool,
    };

    return legacy_main(argc, argv, &program);
}
