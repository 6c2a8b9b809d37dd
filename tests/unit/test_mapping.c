#include <check.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include "jsonxml.h"
#include "mapping.h"
#include "suites.h"
#include "testutil.h"

#define DATA "tests/data/mapping/"

static struct mapping *loadData(const char *name, struct sb_error *err)
{
    char rel[256], path[4096];
    snprintf(rel, sizeof(rel), DATA "%s", name);
    error_clear(err);
    return mapping_load(test_path(path, sizeof(path), rel), err);
}

static const struct mapping_field *fieldNamed(const struct mapping_field *fs,
                                              size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fs[i].name, name) == 0)
            return &fs[i];
    ck_abort_msg("no field %s", name);
    return NULL;
}

START_TEST(full_example_loads_every_member)
{
    struct sb_error err;
    struct mapping *m = loadData("valid_full.yaml", &err);
    ck_assert_msg(m != NULL, "%s:%d: %s", err.file, err.line, err.message);
    ck_assert_str_eq(m->name, "get_order_status");
    ck_assert_str_eq(m->description, "Status and shipment date of one order.");
    ck_assert_int_eq(m->access, MAPPING_WRITE);
    ck_assert_str_eq(m->wsdl, "wsdl/shipping.wsdl");
    ck_assert_str_eq(m->service, "ShippingService");
    ck_assert_str_eq(m->port, "ShippingPort");
    ck_assert_str_eq(m->operation, "GetOrderStatus");
    ck_assert_str_eq(m->endpoint, "http://127.0.0.1:8081/shipping");
    ck_assert_ptr_null(m->request_xslt);
    ck_assert_ptr_null(m->response_xslt);
    ck_assert(strstr(m->file, DATA "valid_full.yaml") != NULL);

    ck_assert_uint_eq(m->n_inputs, 9);
    const struct mapping_field *id = &m->inputs[0];
    ck_assert_str_eq(id->name, "order_id");
    ck_assert_int_eq(id->line, 12);
    ck_assert_int_eq(id->type, MAPPING_TYPE_STRING);
    ck_assert_int_eq(id->required, 1);
    ck_assert_str_eq(id->pattern, "^[A-Z][0-9]{4}$");
    ck_assert_ptr_nonnull(id->pattern_compiled);
    ck_assert_int_eq(id->max_length, 5);
    ck_assert_int_eq(id->min_length, -1);
    ck_assert_str_eq(id->to, "OrderNo");

    const struct mapping_field *prio = &m->inputs[1];
    ck_assert_int_eq(prio->required, 0);
    ck_assert_uint_eq(prio->n_enumeration, 2);
    ck_assert_str_eq(prio->enumeration[1], "high");
    ck_assert_str_eq(prio->default_value, "low");
    ck_assert_ptr_null(prio->pattern_compiled);

    const struct mapping_field *qty = &m->inputs[2];
    ck_assert_int_eq(qty->type, MAPPING_TYPE_INTEGER);
    ck_assert_str_eq(qty->minimum, "1");
    ck_assert_str_eq(qty->maximum, "99");

    const struct mapping_field *tags = fieldNamed(m->inputs, m->n_inputs,
                                                  "tags");
    ck_assert_int_eq(tags->type, MAPPING_TYPE_ARRAY);
    ck_assert_int_eq(tags->item_type, MAPPING_TYPE_INTEGER);
    ck_assert_uint_eq(tags->n_fields, 0);
    ck_assert_str_eq(tags->to, "Tags/Tag");

    const struct mapping_field *addr = fieldNamed(m->inputs, m->n_inputs,
                                                  "address");
    ck_assert_int_eq(addr->type, MAPPING_TYPE_OBJECT);
    ck_assert_uint_eq(addr->n_fields, 2);
    ck_assert_int_eq(addr->fields[0].type, MAPPING_TYPE_AUTO);
    ck_assert_str_eq(addr->fields[1].to, "@zip");

    const struct mapping_field *lines = fieldNamed(m->inputs, m->n_inputs,
                                                   "lines");
    ck_assert_int_eq(lines->item_type, MAPPING_TYPE_OBJECT);
    ck_assert_uint_eq(lines->n_fields, 2);
    ck_assert_str_eq(lines->fields[0].name, "sku");
    ck_assert_int_eq(lines->fields[0].required, 1);
    ck_assert_str_eq(lines->fields[1].minimum, "1");

    ck_assert_uint_eq(m->n_constants, 2);
    ck_assert_str_eq(m->constants[0].to, "Channel");
    ck_assert_str_eq(m->constants[0].value, "BOT");
    ck_assert_str_eq(m->constants[1].to, "Header/@version");
    ck_assert_str_eq(m->constants[1].value, "2");
    ck_assert_int_eq(m->constants[1].line, 38);

    ck_assert_uint_eq(m->n_outputs, 6);
    ck_assert_str_eq(m->outputs[0].from, "Status");
    ck_assert_str_eq(m->outputs[0].lookup, "order-status");
    ck_assert_int_eq(m->outputs[1].type, MAPPING_TYPE_DATE);
    ck_assert_str_eq(m->outputs[1].format, "YYYYMMDD");
    ck_assert_str_eq(m->outputs[1].zone, "Europe/Paris");
    ck_assert_int_eq(m->outputs[2].item_type, MAPPING_TYPE_OBJECT);
    ck_assert_str_eq(m->outputs[2].fields[0].from, "Sku");
    ck_assert_uint_eq(m->outputs[3].n_values, 2);
    ck_assert_str_eq(m->outputs[3].values[1].from, "I");
    ck_assert_str_eq(m->outputs[3].values[1].to, "inactive");
    ck_assert_int_eq(m->outputs[4].item_type, MAPPING_TYPE_AUTO);
    ck_assert_int_eq(m->outputs[5].type, MAPPING_TYPE_OBJECT);
    ck_assert_str_eq(m->outputs[5].description, "The ordering customer.");
    ck_assert_str_eq(m->outputs[5].fields[0].from, "@id");
    ck_assert_int_eq(m->outputs[5].fields[0].type, MAPPING_TYPE_INTEGER);
    mapping_free(m);
}
END_TEST

START_TEST(stylesheets_and_minimal_files_load)
{
    struct sb_error err;
    struct mapping *m = loadData("valid_xslt.yaml", &err);
    ck_assert_msg(m != NULL, "%s:%d: %s", err.file, err.line, err.message);
    ck_assert_str_eq(m->request_xslt, "xslt/create_ticket.request.xsl");
    ck_assert_str_eq(m->response_xslt, "xslt/create_ticket.response.xsl");
    ck_assert_uint_eq(m->n_inputs, 1);
    ck_assert_ptr_null(m->inputs[0].to);
    mapping_free(m);

    m = loadData("valid_minimal.yaml", &err);
    ck_assert_msg(m != NULL, "%s:%d: %s", err.file, err.line, err.message);
    ck_assert_str_eq(m->name, "ping");
    ck_assert_int_eq(m->access, MAPPING_READ);
    ck_assert_ptr_null(m->service);
    ck_assert_ptr_null(m->endpoint);
    ck_assert_uint_eq(m->n_inputs + m->n_outputs + m->n_constants, 0);
    mapping_free(m);
    mapping_free(NULL);
}
END_TEST

/* One file per refusal: the message and line the integrator sees. */
static const struct {
    const char *file;
    int line;
    const char *message;
} bad_files[] = {
    {"bad_unknown_field_key.yaml", 7,
     "unknown key 'form' in field 'order_id' (known: type, required,"
     " description, pattern, enum, minimum, maximum, min_length,"
     " max_length, default, to, lookup, values, format, zone, items,"
     " fields)"},
    {"bad_unknown_output_key.yaml", 8,
     "unknown key 'lookup_table' in field 'status' (known: type, description,"
     " from, lookup, values, format, zone, items, fields)"},
    {"bad_unknown_top_key.yaml", 1,
     "unknown key 'capabilty' (known: capability, description, access,"
     " service, input, output, constants, request_xslt, response_xslt)"},
    {"bad_unknown_service_key.yaml", 4,
     "unknown key 'operaton' in service (known: wsdl, service, port,"
     " operation, endpoint)"},
    {"bad_missing_capability.yaml", 1,
     "missing 'capability'"},
    {"bad_missing_service.yaml", 1,
     "missing 'service'"},
    {"bad_missing_wsdl.yaml", 3,
     "missing 'wsdl' in service"},
    {"bad_missing_operation.yaml", 2,
     "missing 'operation' in service"},
    {"bad_service_not_mapping.yaml", 2,
     "'service' must be a mapping, not a scalar"},
    {"bad_capability_name.yaml", 1,
     "capability name 'Get-Order' must match ^[a-z][a-z0-9_]{0,63}$"},
    {"bad_capability_too_long.yaml", 1,
     "capability name"
     " 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"
     " must match ^[a-z][a-z0-9_]{0,63}$"},
    {"bad_access.yaml", 5,
     "access must be read or write, not 'admin'"},
    {"bad_type.yaml", 6,
     "unknown type 'strng' (known: string, integer, number, boolean,"
     " date, datetime, object, array)"},
    {"bad_pattern.yaml", 8,
     "pattern of field 'order_id' does not compile: Unmatched [, [^, [:, [., or [="},
    {"bad_enum_not_sequence.yaml", 6,
     "'enum' must be a sequence, not a scalar"},
    {"bad_enum_empty.yaml", 6,
     "'enum' must not be empty"},
    {"bad_enum_not_integer.yaml", 8,
     "field 'p': enum value 'x' is not an integer"},
    {"bad_minimum_not_number.yaml", 6,
     "'minimum' must be a number, not 'one'"},
    {"bad_max_length_negative.yaml", 7,
     "'max_length' must be an integer from 0 to 100000000"},
    {"bad_required_not_bool.yaml", 7,
     "'required' must be true or false"},
    {"bad_to_and_from.yaml", 6,
     "field 'q' has both 'to' and 'from'"},
    {"bad_output_without_from.yaml", 6,
     "output field 'status' needs 'from'"},
    {"bad_input_without_to.yaml", 6,
     "input field 'order_id' needs 'to' (or the mapping needs request_xslt)"},
    {"bad_input_to_with_xslt.yaml", 8,
     "field 'title' has 'to' but the mapping uses request_xslt"},
    {"bad_output_with_xslt.yaml", 5,
     "'output' and 'response_xslt' both given: use one"},
    {"bad_constants_with_xslt.yaml", 6,
     "'constants' and 'request_xslt' both given: constants belong in the stylesheet"},
    {"bad_field_name.yaml", 6,
     "field name 'order-id' must match ^[A-Za-z_][A-Za-z0-9_]*$"},
    {"bad_field_not_mapping.yaml", 6,
     "field 'order_id' must be a mapping, not a scalar"},
    {"bad_from_in_input.yaml", 8,
     "'from' is for output fields, not input field 'q'"},
    {"bad_pattern_in_output.yaml", 8,
     "'pattern' is for input fields, not output field 'status'"},
    {"bad_items_not_array.yaml", 8,
     "field 'q': 'items' needs type: array"},
    {"bad_fields_not_object.yaml", 8,
     "field 'q': 'fields' needs type: object"},
    {"bad_object_without_fields.yaml", 6,
     "object field 'q' needs 'fields'"},
    {"bad_array_without_items.yaml", 6,
     "array field 'q' needs 'items'"},
    {"bad_items_type_object.yaml", 9,
     "items type must be a scalar type; for objects give the item fields"},
    {"bad_items_unknown_key.yaml", 9,
     "unknown key 'size' in items of field 'q' (known: type)"},
    {"bad_nested_unknown_key.yaml", 10,
     "unknown key 'requird' in field 'lines.sku' (known: type, required,"
     " description, pattern, enum, minimum, maximum, min_length,"
     " max_length, default, to, lookup, values, format, zone, items,"
     " fields)"},
    {"bad_nested_without_to.yaml", 10,
     "input field 'address.city' needs 'to' (or the mapping needs request_xslt)"},
    {"bad_lookup_and_values.yaml", 9,
     "field 's' has both 'lookup' and 'values'"},
    {"bad_values_not_scalar.yaml", 8,
     "a value map entry must be a scalar, not a sequence"},
    {"bad_minimum_above_maximum.yaml", 8,
     "field 'q': minimum is greater than maximum"},
    {"bad_minimum_on_string.yaml", 7,
     "field 'q': minimum/maximum need type integer or number, not auto"},
    {"bad_length_on_integer.yaml", 8,
     "field 'q': min_length/max_length need a string or array type, not integer"},
    {"bad_pattern_on_number.yaml", 8,
     "field 'q': pattern needs a string type, not number"},
    {"bad_required_with_default.yaml", 8,
     "field 'q' is required and has a default"},
    {"bad_bad_path.yaml", 6,
     "'to': 'Lines//Line' is not an element path (names separated by /,"
     " @name for an attribute)"},
    {"bad_attribute_not_last.yaml", 6,
     "'from': '@a/B' is not an element path (names separated by /, @name"
     " for an attribute)"},
    {"bad_constant_path.yaml", 6,
     "'constants': 'Channel/' is not an element path (names separated by"
     " /, @name for an attribute)"},
    {"bad_constant_not_scalar.yaml", 6,
     "a constant must be a scalar, not a sequence"},
    {"bad_duplicate_key.yaml", 8,
     "duplicate key 'to' (first at line 7)"},
    {"bad_not_a_mapping.yaml", 1,
     "a mapping file must be a mapping, not a sequence"},
    {"bad_default_not_in_enum.yaml", 6,
     "field 'p': default 'mid': must be one of low, high"},
    {"bad_default_pattern.yaml", 8,
     "field 'p': default 'x1': does not match pattern ^[0-9]+$"},
    {"bad_default_integer.yaml", 6,
     "field 'q': default '1.5': expected integer, got number"},
    {"bad_default_below_minimum.yaml", 6,
     "field 'q': default '-1': must be >= 0"},
    {"bad_default_boolean.yaml", 6,
     "field 'q': default 'yes': must be true or false"},
    {"bad_default_date.yaml", 6,
     "field 'q': default '2023-02-29': not a valid date (YYYY-MM-DD)"},
    {"bad_default_on_array.yaml", 6,
     "field 'q': default needs a scalar type, not array"},
    {"bad_empty_wsdl.yaml", 3,
     "'wsdl' needs a value"},
    {"bad_yaml_syntax.yaml", 7,
     "did not find expected ',' or '}' (while parsing a flow mapping at line 6)"},
    {"bad_alias.yaml", 6,
     "anchors and aliases are not supported"},
};

START_TEST(bad_files_are_refused_with_line)
{
    struct sb_error err;
    char want_file[512];
    struct mapping *m = loadData(bad_files[_i].file, &err);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.code, "mapping_load");
    snprintf(want_file, sizeof(want_file), DATA "%s", bad_files[_i].file);
    ck_assert_msg(strstr(err.file, want_file) != NULL, "file %s", err.file);
    ck_assert_str_eq(err.message, bad_files[_i].message);
    ck_assert_int_eq(err.line, bad_files[_i].line);
}
END_TEST

START_TEST(missing_file_is_an_error)
{
    struct sb_error err;
    ck_assert_ptr_null(loadData("no-such-file.yaml", &err));
    ck_assert_str_eq(err.code, "mapping_load");
    ck_assert_str_eq(err.message, "cannot open: No such file or directory");
}
END_TEST

/* ---- validation ---- */

#define MAP(members) "<map xmlns='" JSONXML_NS "'>" members "</map>"
#define ID "<string key='order_id'>A1234</string>"
#define LINE(sku) "<map><string key='sku'>" sku "</string></map>"
/* 200 and 201 two-byte characters: over 200 bytes, not over 200 chars */
#define E10 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
            "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define E50 E10 E10 E10 E10 E10
#define E200 E50 E50 E50 E50

static const struct {
    const char *file;
    const char *xml;
    const char *field;      /* NULL = valid */
    const char *message;
} inputs[] = {
    {"valid_full.yaml", MAP(ID), NULL, NULL},
    {"valid_full.yaml",
     MAP(ID "<string key='priority'>high</string><number key='qty'>99"
         "</number><string key='note'>" E200 "</string>"
         "<number key='big'>12345678901234567889</number>"
         "<boolean key='express'>true</boolean>"
         "<array key='tags'><number>1</number><number>-2</number></array>"
         "<map key='address'><string key='city'>Paris</string></map>"
         "<array key='lines'>" LINE("X") "<map><string key='sku'>Y</string>"
         "<number key='count'>3</number></map></array>"), NULL, NULL},
    {"valid_full.yaml", MAP(ID "<null key='priority'/><null key='address'/>"),
     NULL, NULL},
    {"valid_full.yaml", MAP(""), "order_id", "order_id: required"},
    {"valid_full.yaml", MAP("<null key='order_id'/>"), "order_id",
     "order_id: required"},
    {"valid_full.yaml", MAP("<number key='order_id'>1234</number>"),
     "order_id", "order_id: expected string, got number"},
    {"valid_full.yaml", MAP("<string key='order_id'>a1234</string>"),
     "order_id", "order_id: does not match pattern ^[A-Z][0-9]{4}$"},
    {"valid_full.yaml", MAP(ID "<string key='priority'>mid</string>"),
     "priority", "priority: must be one of low, high"},
    {"valid_full.yaml", MAP(ID "<number key='qty'>0</number>"), "qty",
     "qty: must be >= 1"},
    {"valid_full.yaml", MAP(ID "<number key='qty'>100</number>"), "qty",
     "qty: must be <= 99"},
    {"valid_full.yaml", MAP(ID "<number key='qty'>1.5</number>"), "qty",
     "qty: expected integer, got number"},
    {"valid_full.yaml", MAP(ID "<number key='qty'>1e1</number>"), "qty",
     "qty: expected integer, got number"},
    {"valid_full.yaml", MAP(ID "<string key='qty'>5</string>"), "qty",
     "qty: expected integer, got string"},
    {"valid_full.yaml", MAP(ID "<number key='qty'>x</number>"), "qty",
     "qty: not a valid number"},
    {"valid_full.yaml", MAP(ID "<string key='note'>" E200 "\xc3\xa9</string>"),
     "note", "note: longer than 200 characters"},
    {"valid_full.yaml", MAP(ID "<string key='note'>\xc3\xa9</string>"),
     "note", "note: shorter than 2 characters"},
    {"valid_full.yaml",
     MAP(ID "<number key='big'>12345678901234567890</number>"), "big",
     "big: must be <= 12345678901234567889"},
    {"valid_full.yaml", MAP(ID "<string key='express'>yes</string>"),
     "express", "express: expected boolean, got string"},
    {"valid_full.yaml",
     MAP(ID "<array key='tags'><number>1</number><string>x</string></array>"),
     "tags[1]", "tags[1]: expected integer, got string"},
    {"valid_full.yaml",
     MAP(ID "<array key='tags'><number>1</number><number>2</number>"
         "<number>3</number><number>4</number></array>"),
     "tags", "tags: more than 3 items"},
    {"valid_full.yaml", MAP(ID "<string key='tags'>1</string>"), "tags",
     "tags: expected array, got string"},
    {"valid_full.yaml", MAP(ID "<map key='address'/>"), "address.city",
     "address.city: required"},
    {"valid_full.yaml", MAP(ID "<array key='address'/>"), "address",
     "address: expected object, got array"},
    {"valid_full.yaml",
     MAP(ID "<array key='lines'>" LINE("X") "<map/></array>"), "lines[1].sku",
     "lines[1].sku: required"},
    {"valid_full.yaml",
     MAP(ID "<array key='lines'><string>X</string></array>"), "lines[0]",
     "lines[0]: expected object, got string"},
    {"valid_full.yaml",
     MAP(ID "<array key='lines'><null/></array>"), "lines[0]",
     "lines[0]: expected object, got null"},
    {"valid_full.yaml",
     MAP(ID "<array key='lines'><map><string key='sku'>X</string>"
         "<number key='count'>0</number></map></array>"), "lines[0].count",
     "lines[0].count: must be >= 1"},
    {"valid_full.yaml",
     MAP(ID "<array key='lines'><map><string key='sku'>X</string>"
         "<string key='colour'>red</string></map></array>"),
     "lines[0].colour", "lines[0].colour: unknown field (known: sku, count)"},
    {"valid_full.yaml", MAP("<string key='colour'>red</string>"), "colour",
     "colour: unknown field (known: order_id, priority, qty, note, big, "
     "express, tags, address, lines)"},
    {"valid_minimal.yaml", MAP("<string key='x'>1</string>"), "x",
     "x: unknown field (known: none)"},
    {"valid_minimal.yaml", MAP(""), NULL, NULL},
    {"valid_full.yaml", "<array xmlns='" JSONXML_NS "'/>", "",
     "request body must be a JSON object"},
    {"valid_full.yaml", "<map/>", "", "request body must be a JSON object"},
    /* exact decimal comparison: -1.5 <= n <= 1e3 */
    {"valid_numbers.yaml", MAP("<number key='n'>-1.5</number>"), NULL, NULL},
    {"valid_numbers.yaml", MAP("<number key='n'>-15e-1</number>"), NULL, NULL},
    {"valid_numbers.yaml", MAP("<number key='n'>-1.50</number>"), NULL, NULL},
    {"valid_numbers.yaml", MAP("<number key='n'>-1.51</number>"), "n",
     "n: must be >= -1.5"},
    {"valid_numbers.yaml", MAP("<number key='n'>-2</number>"), "n",
     "n: must be >= -1.5"},
    {"valid_numbers.yaml", MAP("<number key='n'>-0</number>"), NULL, NULL},
    {"valid_numbers.yaml", MAP("<number key='n'>0.001e6</number>"), NULL,
     NULL},
    {"valid_numbers.yaml", MAP("<number key='n'>1000</number>"), NULL, NULL},
    {"valid_numbers.yaml", MAP("<number key='n'>999.9999999999999999</number>"),
     NULL, NULL},
    {"valid_numbers.yaml", MAP("<number key='n'>1000.0000000000000001</number>"),
     "n", "n: must be <= 1e3"},
    {"valid_numbers.yaml", MAP("<number key='n'>0.0010001e6</number>"), "n",
     "n: must be <= 1e3"},
    {"valid_numbers.yaml", MAP("<number key='n'>1E4</number>"), "n",
     "n: must be <= 1e3"},
    {"valid_numbers.yaml", MAP("<number key='n'>01</number>"), "n",
     "n: not a valid number"},
    {"valid_numbers.yaml",
     MAP("<number key='i'>-12345678901234567890</number>"), NULL, NULL},
    {"valid_numbers.yaml",
     MAP("<number key='i'>-12345678901234567891</number>"), "i",
     "i: must be >= -12345678901234567890"},
    {"valid_numbers.yaml", MAP("<number key='i'>7</number>"), NULL, NULL},
    {"valid_numbers.yaml", MAP("<number key='i'>8</number>"), "i",
     "i: must be one of -12345678901234567890, 0, 7"},
    /* canonical dates and datetimes */
    {"valid_dates.yaml",
     MAP("<string key='day'>2024-02-29</string>"
         "<string key='at'>2024-12-31T23:59:60.123+01:00</string>"
         "<array key='days'><string>2000-02-29</string></array>"
         "<map key='period'><string key='start'>2024-01-31</string>"
         "<boolean key='flag'>false</boolean></map>"), NULL, NULL},
    {"valid_dates.yaml", MAP("<string key='at'>2024-01-01T00:00:00Z</string>"),
     NULL, NULL},
    {"valid_dates.yaml", MAP("<string key='at'>2024-01-01T00:00:00</string>"),
     NULL, NULL},
    {"valid_dates.yaml", MAP("<string key='day'>2023-02-29</string>"), "day",
     "day: not a valid date (YYYY-MM-DD)"},
    {"valid_dates.yaml", MAP("<string key='day'>2024-04-31</string>"), "day",
     "day: not a valid date (YYYY-MM-DD)"},
    {"valid_dates.yaml", MAP("<string key='day'>2024-1-01</string>"), "day",
     "day: not a valid date (YYYY-MM-DD)"},
    {"valid_dates.yaml", MAP("<string key='day'>2024-01-01T00:00:00</string>"),
     "day", "day: not a valid date (YYYY-MM-DD)"},
    {"valid_dates.yaml", MAP("<number key='day'>20240101</number>"), "day",
     "day: expected date, got number"},
    {"valid_dates.yaml", MAP("<string key='at'>2024-01-01 00:00:00</string>"),
     "at", "at: not a valid datetime (YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])"},
    {"valid_dates.yaml", MAP("<string key='at'>2024-01-01T24:00:00</string>"),
     "at", "at: not a valid datetime (YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])"},
    {"valid_dates.yaml",
     MAP("<string key='at'>2024-01-01T10:00:00.Z</string>"), "at",
     "at: not a valid datetime (YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])"},
    {"valid_dates.yaml",
     MAP("<string key='at'>2024-01-01T10:00:00+0100</string>"), "at",
     "at: not a valid datetime (YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])"},
    {"valid_dates.yaml",
     MAP("<array key='days'><string>2024-01-01</string><string>01/02/2024"
         "</string></array>"), "days[1]",
     "days[1]: not a valid date (YYYY-MM-DD)"},
    {"valid_dates.yaml",
     MAP("<map key='period'><number key='size'>0</number></map>"),
     "period.size", "period.size: must be >= 1"},
};

START_TEST(inputs_are_validated_with_path_and_message)
{
    struct sb_error err;
    struct mapping *m = loadData(inputs[_i].file, &err);
    ck_assert_msg(m != NULL, "%s:%d: %s", err.file, err.line, err.message);
    const char *xml = inputs[_i].xml;
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "in.xml", NULL,
                                  XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    error_clear(&err);
    int rc = mapping_validate_input(m, xmlDocGetRootElement(doc), &err);
    if (!inputs[_i].field) {
        ck_assert_msg(rc == 0, "unexpected: %s", err.message);
        ck_assert_str_eq(err.code, "");
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.code, "invalid_input");
        ck_assert_str_eq(err.field, inputs[_i].field);
        ck_assert_str_eq(err.message, inputs[_i].message);
    }
    xmlFreeDoc(doc);
    mapping_free(m);
}
END_TEST

Suite *mapping_suite(void)
{
    Suite *s = suite_create("mapping");
    TCase *tc = tcase_create("core");
    xmlInitParser();
    tcase_add_test(tc, full_example_loads_every_member);
    tcase_add_test(tc, stylesheets_and_minimal_files_load);
    tcase_add_loop_test(tc, bad_files_are_refused_with_line, 0,
                        sizeof(bad_files) / sizeof(bad_files[0]));
    tcase_add_test(tc, missing_file_is_an_error);
    tcase_add_loop_test(tc, inputs_are_validated_with_path_and_message, 0,
                        sizeof(inputs) / sizeof(inputs[0]));
    suite_add_tcase(s, tc);
    return s;
}
