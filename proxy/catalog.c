/*
 * catalog: built-in copies of the standard schemas that WSDLs import by
 * namespace only (see catalog.h). The texts are soapbridge's own minimal
 * renderings: they declare what stylegen and the envelope builder need
 * (element names, order, namespaces, simple types, arrays) and use
 * wildcards where the official schemas allow open content.
 */
#include "catalog.h"

#include <string.h>

#define XS_OPEN "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"\n"

/* SOAP 1.1 section 5 encoding. Every built-in type has a soapenc twin of
 * the same name so that rpc/encoded WSDLs may write soapenc:int. */
#define ENC_SIMPLE(n, base) \
    "<xs:simpleType name=\"" n "\"><xs:restriction base=\"xs:" base \
    "\"/></xs:simpleType>\n<xs:element name=\"" n "\" type=\"tns:" n \
    "\" nillable=\"true\"/>\n"
#define ENC(n) ENC_SIMPLE(n, n)

static const char soapEncoding[] =
    XS_OPEN
    " xmlns:tns=\"http://schemas.xmlsoap.org/soap/encoding/\"\n"
    " targetNamespace=\"http://schemas.xmlsoap.org/soap/encoding/\">\n"
    "<xs:attributeGroup name=\"commonAttributes\">\n"
    "<xs:attribute name=\"id\" type=\"xs:ID\"/>\n"
    "<xs:attribute name=\"href\" type=\"xs:anyURI\"/>\n"
    "<xs:anyAttribute namespace=\"##other\" processContents=\"lax\"/>\n"
    "</xs:attributeGroup>\n"
    "<xs:attribute name=\"root\"><xs:simpleType>"
    "<xs:restriction base=\"xs:boolean\"><xs:pattern value=\"0|1\"/>"
    "</xs:restriction></xs:simpleType></xs:attribute>\n"
    "<xs:attribute name=\"arrayType\" type=\"xs:string\"/>\n"
    "<xs:attribute name=\"offset\" type=\"xs:string\"/>\n"
    "<xs:attribute name=\"position\" type=\"xs:string\"/>\n"
    "<xs:complexType name=\"Array\">\n"
    "<xs:sequence><xs:any namespace=\"##any\" minOccurs=\"0\""
    " maxOccurs=\"unbounded\" processContents=\"lax\"/></xs:sequence>\n"
    "<xs:attributeGroup ref=\"tns:commonAttributes\"/>\n"
    "<xs:attribute ref=\"tns:arrayType\"/>\n"
    "<xs:attribute ref=\"tns:offset\"/>\n"
    "</xs:complexType>\n"
    "<xs:element name=\"Array\" type=\"tns:Array\"/>\n"
    "<xs:complexType name=\"Struct\">\n"
    "<xs:sequence><xs:any namespace=\"##any\" minOccurs=\"0\""
    " maxOccurs=\"unbounded\" processContents=\"lax\"/></xs:sequence>\n"
    "<xs:attributeGroup ref=\"tns:commonAttributes\"/>\n"
    "</xs:complexType>\n"
    "<xs:element name=\"Struct\" type=\"tns:Struct\"/>\n"
    ENC("string") ENC("normalizedString") ENC("token") ENC("language")
    ENC("Name") ENC("NCName") ENC("NMTOKEN") ENC("NMTOKENS") ENC("ID")
    ENC("IDREF") ENC("IDREFS") ENC("ENTITY") ENC("ENTITIES")
    ENC("boolean") ENC("float") ENC("double") ENC("decimal")
    ENC("integer") ENC("nonPositiveInteger") ENC("negativeInteger")
    ENC("long") ENC("int") ENC("short") ENC("byte")
    ENC("nonNegativeInteger") ENC("positiveInteger") ENC("unsignedLong")
    ENC("unsignedInt") ENC("unsignedShort") ENC("unsignedByte")
    ENC("duration") ENC("dateTime") ENC("time") ENC("date")
    ENC("gYearMonth") ENC("gYear") ENC("gMonthDay") ENC("gDay")
    ENC("gMonth") ENC("hexBinary") ENC("base64Binary") ENC("anyURI")
    ENC("QName") ENC("NOTATION")
    ENC_SIMPLE("base64", "base64Binary")
    "</xs:schema>\n";

static const char xmlNamespace[] =
    XS_OPEN
    " targetNamespace=\"http://www.w3.org/XML/1998/namespace\">\n"
    "<xs:attribute name=\"lang\" type=\"xs:string\"/>\n"
    "<xs:attribute name=\"space\"><xs:simpleType>"
    "<xs:restriction base=\"xs:NCName\">"
    "<xs:enumeration value=\"default\"/>"
    "<xs:enumeration value=\"preserve\"/>"
    "</xs:restriction></xs:simpleType></xs:attribute>\n"
    "<xs:attribute name=\"base\" type=\"xs:anyURI\"/>\n"
    "<xs:attribute name=\"id\" type=\"xs:ID\"/>\n"
    "<xs:attributeGroup name=\"specialAttrs\">\n"
    "<xs:attribute ref=\"xml:base\"/><xs:attribute ref=\"xml:lang\"/>\n"
    "<xs:attribute ref=\"xml:space\"/><xs:attribute ref=\"xml:id\"/>\n"
    "</xs:attributeGroup>\n"
    "</xs:schema>\n";

#define WSU_NS "http://docs.oasis-open.org/wss/2004/01/" \
    "oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define WSSE_NS "http://docs.oasis-open.org/wss/2004/01/" \
    "oasis-200401-wss-wssecurity-secext-1.0.xsd"

static const char wsSecurityUtility[] =
    XS_OPEN
    " xmlns:wsu=\"" WSU_NS "\"\n"
    " targetNamespace=\"" WSU_NS "\"\n"
    " elementFormDefault=\"qualified\" attributeFormDefault=\"unqualified\">\n"
    "<xs:attribute name=\"Id\" type=\"xs:ID\"/>\n"
    "<xs:attributeGroup name=\"commonAtts\">\n"
    "<xs:attribute ref=\"wsu:Id\"/>\n"
    "<xs:anyAttribute namespace=\"##other\" processContents=\"lax\"/>\n"
    "</xs:attributeGroup>\n"
    "<xs:complexType name=\"AttributedDateTime\"><xs:simpleContent>"
    "<xs:extension base=\"xs:string\">"
    "<xs:attributeGroup ref=\"wsu:commonAtts\"/>"
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"TimestampType\">\n"
    "<xs:sequence>\n"
    "<xs:element ref=\"wsu:Created\" minOccurs=\"0\"/>\n"
    "<xs:element ref=\"wsu:Expires\" minOccurs=\"0\"/>\n"
    "<xs:any namespace=\"##other\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/>\n"
    "</xs:sequence>\n"
    "<xs:attributeGroup ref=\"wsu:commonAtts\"/>\n"
    "</xs:complexType>\n"
    "<xs:element name=\"Timestamp\" type=\"wsu:TimestampType\"/>\n"
    "<xs:element name=\"Created\" type=\"wsu:AttributedDateTime\"/>\n"
    "<xs:element name=\"Expires\" type=\"wsu:AttributedDateTime\"/>\n"
    "</xs:schema>\n";

/* The official schema leaves Password and Nonce to a wildcard; declaring
 * them in UsernameToken gives the envelope builder their order. */
static const char wsSecuritySecext[] =
    XS_OPEN
    " xmlns:wsse=\"" WSSE_NS "\"\n"
    " xmlns:wsu=\"" WSU_NS "\"\n"
    " targetNamespace=\"" WSSE_NS "\"\n"
    " elementFormDefault=\"qualified\" attributeFormDefault=\"unqualified\">\n"
    "<xs:import namespace=\"" WSU_NS "\"/>\n"
    "<xs:complexType name=\"AttributedString\"><xs:simpleContent>"
    "<xs:extension base=\"xs:string\">"
    "<xs:attribute ref=\"wsu:Id\"/>"
    "<xs:anyAttribute namespace=\"##other\" processContents=\"lax\"/>"
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"PasswordString\"><xs:simpleContent>"
    "<xs:extension base=\"wsse:AttributedString\">"
    "<xs:attribute name=\"Type\" type=\"xs:anyURI\"/>"
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"EncodedString\"><xs:simpleContent>"
    "<xs:extension base=\"wsse:AttributedString\">"
    "<xs:attribute name=\"EncodingType\" type=\"xs:anyURI\"/>"
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"UsernameTokenType\">\n"
    "<xs:sequence>\n"
    "<xs:element ref=\"wsse:Username\"/>\n"
    "<xs:element ref=\"wsse:Password\" minOccurs=\"0\"/>\n"
    "<xs:element ref=\"wsse:Nonce\" minOccurs=\"0\"/>\n"
    "<xs:element ref=\"wsu:Created\" minOccurs=\"0\"/>\n"
    "<xs:any namespace=\"##other\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/>\n"
    "</xs:sequence>\n"
    "<xs:attribute ref=\"wsu:Id\"/>\n"
    "<xs:anyAttribute namespace=\"##other\" processContents=\"lax\"/>\n"
    "</xs:complexType>\n"
    "<xs:complexType name=\"SecurityHeaderType\">\n"
    "<xs:sequence><xs:any namespace=\"##any\" minOccurs=\"0\""
    " maxOccurs=\"unbounded\" processContents=\"lax\"/></xs:sequence>\n"
    "<xs:anyAttribute namespace=\"##other\" processContents=\"lax\"/>\n"
    "</xs:complexType>\n"
    "<xs:element name=\"Security\" type=\"wsse:SecurityHeaderType\"/>\n"
    "<xs:element name=\"UsernameToken\" type=\"wsse:UsernameTokenType\"/>\n"
    "<xs:element name=\"Username\" type=\"wsse:AttributedString\"/>\n"
    "<xs:element name=\"Password\" type=\"wsse:PasswordString\"/>\n"
    "<xs:element name=\"Nonce\" type=\"wsse:EncodedString\"/>\n"
    "</xs:schema>\n";

#define WSA_ANY_SEQ \
    "<xs:any namespace=\"##other\" minOccurs=\"0\" maxOccurs=\"unbounded\"" \
    " processContents=\"lax\"/>\n"
#define WSA_ANY_ATTR \
    "<xs:anyAttribute namespace=\"##other\" processContents=\"lax\"/>\n"

static const char wsAddressing200408[] =
    XS_OPEN
    " xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"\n"
    " targetNamespace=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"\n"
    " elementFormDefault=\"qualified\">\n"
    "<xs:complexType name=\"AttributedURI\"><xs:simpleContent>"
    "<xs:extension base=\"xs:anyURI\">" WSA_ANY_ATTR
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"AttributedQName\"><xs:simpleContent>"
    "<xs:extension base=\"xs:QName\">" WSA_ANY_ATTR
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"ServiceNameType\"><xs:simpleContent>"
    "<xs:extension base=\"xs:QName\">"
    "<xs:attribute name=\"PortName\" type=\"xs:NCName\"/>" WSA_ANY_ATTR
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"Relationship\"><xs:simpleContent>"
    "<xs:extension base=\"xs:anyURI\">"
    "<xs:attribute name=\"RelationshipType\" type=\"xs:QName\"/>"
    WSA_ANY_ATTR
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"ReferencePropertiesType\"><xs:sequence>"
    "<xs:any minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/></xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"EndpointReferenceType\">\n"
    "<xs:sequence>\n"
    "<xs:element name=\"Address\" type=\"wsa:AttributedURI\"/>\n"
    "<xs:element name=\"ReferenceProperties\""
    " type=\"wsa:ReferencePropertiesType\" minOccurs=\"0\"/>\n"
    "<xs:element name=\"ReferenceParameters\""
    " type=\"wsa:ReferencePropertiesType\" minOccurs=\"0\"/>\n"
    "<xs:element name=\"PortType\" type=\"wsa:AttributedQName\""
    " minOccurs=\"0\"/>\n"
    "<xs:element name=\"ServiceName\" type=\"wsa:ServiceNameType\""
    " minOccurs=\"0\"/>\n"
    WSA_ANY_SEQ
    "</xs:sequence>\n" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:element name=\"EndpointReference\""
    " type=\"wsa:EndpointReferenceType\"/>\n"
    "<xs:element name=\"MessageID\" type=\"wsa:AttributedURI\"/>\n"
    "<xs:element name=\"RelatesTo\" type=\"wsa:Relationship\"/>\n"
    "<xs:element name=\"To\" type=\"wsa:AttributedURI\"/>\n"
    "<xs:element name=\"Action\" type=\"wsa:AttributedURI\"/>\n"
    "<xs:element name=\"From\" type=\"wsa:EndpointReferenceType\"/>\n"
    "<xs:element name=\"ReplyTo\" type=\"wsa:EndpointReferenceType\"/>\n"
    "<xs:element name=\"FaultTo\" type=\"wsa:EndpointReferenceType\"/>\n"
    "</xs:schema>\n";

static const char wsAddressing10[] =
    XS_OPEN
    " xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"\n"
    " targetNamespace=\"http://www.w3.org/2005/08/addressing\"\n"
    " elementFormDefault=\"qualified\" attributeFormDefault=\"unqualified\">\n"
    "<xs:complexType name=\"AttributedURIType\"><xs:simpleContent>"
    "<xs:extension base=\"xs:anyURI\">" WSA_ANY_ATTR
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"RelatesToType\"><xs:simpleContent>"
    "<xs:extension base=\"xs:anyURI\">"
    "<xs:attribute name=\"RelationshipType\" type=\"xs:anyURI\""
    " default=\"http://www.w3.org/2005/08/addressing/reply\"/>"
    WSA_ANY_ATTR
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"OpenContentType\"><xs:sequence>"
    "<xs:any namespace=\"##any\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/></xs:sequence>" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"EndpointReferenceType\">\n"
    "<xs:sequence>\n"
    "<xs:element ref=\"wsa:Address\"/>\n"
    "<xs:element ref=\"wsa:ReferenceParameters\" minOccurs=\"0\"/>\n"
    "<xs:element ref=\"wsa:Metadata\" minOccurs=\"0\"/>\n"
    WSA_ANY_SEQ
    "</xs:sequence>\n" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:element name=\"EndpointReference\""
    " type=\"wsa:EndpointReferenceType\"/>\n"
    "<xs:element name=\"Address\" type=\"wsa:AttributedURIType\"/>\n"
    "<xs:element name=\"ReferenceParameters\""
    " type=\"wsa:OpenContentType\"/>\n"
    "<xs:element name=\"Metadata\" type=\"wsa:OpenContentType\"/>\n"
    "<xs:element name=\"To\" type=\"wsa:AttributedURIType\"/>\n"
    "<xs:element name=\"Action\" type=\"wsa:AttributedURIType\"/>\n"
    "<xs:element name=\"MessageID\" type=\"wsa:AttributedURIType\"/>\n"
    "<xs:element name=\"RelatesTo\" type=\"wsa:RelatesToType\"/>\n"
    "<xs:element name=\"From\" type=\"wsa:EndpointReferenceType\"/>\n"
    "<xs:element name=\"ReplyTo\" type=\"wsa:EndpointReferenceType\"/>\n"
    "<xs:element name=\"FaultTo\" type=\"wsa:EndpointReferenceType\"/>\n"
    "<xs:attribute name=\"IsReferenceParameter\" type=\"xs:boolean\"/>\n"
    "</xs:schema>\n";

static const char xmlMime[] =
    XS_OPEN
    " xmlns:xmime=\"http://www.w3.org/2005/05/xmlmime\"\n"
    " targetNamespace=\"http://www.w3.org/2005/05/xmlmime\">\n"
    "<xs:attribute name=\"contentType\"><xs:simpleType>"
    "<xs:restriction base=\"xs:string\"><xs:minLength value=\"3\"/>"
    "</xs:restriction></xs:simpleType></xs:attribute>\n"
    "<xs:attribute name=\"expectedContentTypes\" type=\"xs:string\"/>\n"
    "<xs:complexType name=\"base64Binary\"><xs:simpleContent>"
    "<xs:extension base=\"xs:base64Binary\">"
    "<xs:attribute ref=\"xmime:contentType\"/>"
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"hexBinary\"><xs:simpleContent>"
    "<xs:extension base=\"xs:hexBinary\">"
    "<xs:attribute ref=\"xmime:contentType\"/>"
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "</xs:schema>\n";

/* SOAP 1.1 (note 2000-05-08, section 4): the Fault children are
 * unqualified, everything else is qualified by reference. */
static const char soap11Envelope[] =
    XS_OPEN
    " xmlns:tns=\"http://schemas.xmlsoap.org/soap/envelope/\"\n"
    " targetNamespace=\"http://schemas.xmlsoap.org/soap/envelope/\">\n"
    "<xs:complexType name=\"Envelope\">\n"
    "<xs:sequence>\n"
    "<xs:element ref=\"tns:Header\" minOccurs=\"0\"/>\n"
    "<xs:element ref=\"tns:Body\"/>\n"
    "<xs:any namespace=\"##other\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/>\n"
    "</xs:sequence>\n" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"Header\"><xs:sequence>"
    "<xs:any namespace=\"##other\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/></xs:sequence>" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"Body\"><xs:sequence>"
    "<xs:any namespace=\"##any\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/></xs:sequence>" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"detail\"><xs:sequence>"
    "<xs:any namespace=\"##any\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/></xs:sequence>" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"Fault\">\n"
    "<xs:sequence>\n"
    "<xs:element name=\"faultcode\" type=\"xs:QName\"/>\n"
    "<xs:element name=\"faultstring\" type=\"xs:string\"/>\n"
    "<xs:element name=\"faultactor\" type=\"xs:anyURI\" minOccurs=\"0\"/>\n"
    "<xs:element name=\"detail\" type=\"tns:detail\" minOccurs=\"0\"/>\n"
    "</xs:sequence>\n"
    "</xs:complexType>\n"
    "<xs:element name=\"Envelope\" type=\"tns:Envelope\"/>\n"
    "<xs:element name=\"Header\" type=\"tns:Header\"/>\n"
    "<xs:element name=\"Body\" type=\"tns:Body\"/>\n"
    "<xs:element name=\"Fault\" type=\"tns:Fault\"/>\n"
    "<xs:attribute name=\"mustUnderstand\"><xs:simpleType>"
    "<xs:restriction base=\"xs:boolean\"><xs:pattern value=\"0|1\"/>"
    "</xs:restriction></xs:simpleType></xs:attribute>\n"
    "<xs:attribute name=\"actor\" type=\"xs:anyURI\"/>\n"
    "<xs:attribute name=\"encodingStyle\"><xs:simpleType>"
    "<xs:list itemType=\"xs:anyURI\"/></xs:simpleType></xs:attribute>\n"
    "</xs:schema>\n";

static const char soap12Envelope[] =
    XS_OPEN
    " xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"\n"
    " targetNamespace=\"http://www.w3.org/2003/05/soap-envelope\"\n"
    " elementFormDefault=\"qualified\">\n"
    "<xs:import namespace=\"http://www.w3.org/XML/1998/namespace\"/>\n"
    "<xs:complexType name=\"Envelope\">\n"
    "<xs:sequence>\n"
    "<xs:element ref=\"env:Header\" minOccurs=\"0\"/>\n"
    "<xs:element ref=\"env:Body\"/>\n"
    "</xs:sequence>\n" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"Header\"><xs:sequence>"
    "<xs:any namespace=\"##any\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/></xs:sequence>" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"Body\"><xs:sequence>"
    "<xs:any namespace=\"##any\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/></xs:sequence>" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"faultcode\">\n"
    "<xs:sequence>\n"
    "<xs:element name=\"Value\" type=\"xs:QName\"/>\n"
    "<xs:element name=\"Subcode\" type=\"env:faultcode\" minOccurs=\"0\"/>\n"
    "</xs:sequence>\n"
    "</xs:complexType>\n"
    "<xs:complexType name=\"reasontext\"><xs:simpleContent>"
    "<xs:extension base=\"xs:string\">"
    "<xs:attribute ref=\"xml:lang\" use=\"required\"/>"
    "</xs:extension></xs:simpleContent></xs:complexType>\n"
    "<xs:complexType name=\"faultreason\"><xs:sequence>"
    "<xs:element name=\"Text\" type=\"env:reasontext\""
    " maxOccurs=\"unbounded\"/></xs:sequence></xs:complexType>\n"
    "<xs:complexType name=\"detail\"><xs:sequence>"
    "<xs:any namespace=\"##any\" minOccurs=\"0\" maxOccurs=\"unbounded\""
    " processContents=\"lax\"/></xs:sequence>" WSA_ANY_ATTR
    "</xs:complexType>\n"
    "<xs:complexType name=\"Fault\">\n"
    "<xs:sequence>\n"
    "<xs:element name=\"Code\" type=\"env:faultcode\"/>\n"
    "<xs:element name=\"Reason\" type=\"env:faultreason\"/>\n"
    "<xs:element name=\"Node\" type=\"xs:anyURI\" minOccurs=\"0\"/>\n"
    "<xs:element name=\"Role\" type=\"xs:anyURI\" minOccurs=\"0\"/>\n"
    "<xs:element name=\"Detail\" type=\"env:detail\" minOccurs=\"0\"/>\n"
    "</xs:sequence>\n"
    "</xs:complexType>\n"
    "<xs:element name=\"Envelope\" type=\"env:Envelope\"/>\n"
    "<xs:element name=\"Header\" type=\"env:Header\"/>\n"
    "<xs:element name=\"Body\" type=\"env:Body\"/>\n"
    "<xs:element name=\"Fault\" type=\"env:Fault\"/>\n"
    "<xs:attribute name=\"mustUnderstand\" type=\"xs:boolean\"/>\n"
    "<xs:attribute name=\"relay\" type=\"xs:boolean\"/>\n"
    "<xs:attribute name=\"role\" type=\"xs:anyURI\"/>\n"
    "<xs:attribute name=\"encodingStyle\" type=\"xs:anyURI\"/>\n"
    "</xs:schema>\n";

struct catalog_entry {
    const char *ns;
    const char *name;
    const char *text;
    size_t len;
};

#define ENTRY(ns, name, text) { ns, name, text, sizeof(text) - 1 }

static const struct catalog_entry entries[] = {
    ENTRY("http://schemas.xmlsoap.org/soap/encoding/",
          "<builtin:soap-encoding.xsd>", soapEncoding),
    ENTRY("http://www.w3.org/XML/1998/namespace", "<builtin:xml.xsd>",
          xmlNamespace),
    ENTRY(WSSE_NS, "<builtin:wss-secext.xsd>", wsSecuritySecext),
    ENTRY(WSU_NS, "<builtin:wss-utility.xsd>", wsSecurityUtility),
    ENTRY("http://schemas.xmlsoap.org/ws/2004/08/addressing",
          "<builtin:ws-addressing-2004-08.xsd>", wsAddressing200408),
    ENTRY("http://www.w3.org/2005/08/addressing",
          "<builtin:ws-addressing-1.0.xsd>", wsAddressing10),
    ENTRY("http://www.w3.org/2005/05/xmlmime", "<builtin:xmlmime.xsd>",
          xmlMime),
    ENTRY("http://schemas.xmlsoap.org/soap/envelope/",
          "<builtin:soap11-envelope.xsd>", soap11Envelope),
    ENTRY("http://www.w3.org/2003/05/soap-envelope",
          "<builtin:soap12-envelope.xsd>", soap12Envelope),
};

static const struct catalog_entry *findEntry(const char *namespace_uri)
{
    if (!namespace_uri)
        return NULL;
    for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
        if (strcmp(entries[i].ns, namespace_uri) == 0)
            return &entries[i];
    return NULL;
}

const char *catalog_lookup(const char *namespace_uri, size_t *len)
{
    const struct catalog_entry *e = findEntry(namespace_uri);
    if (len)
        *len = e ? e->len : 0;
    return e ? e->text : NULL;
}

const char *catalog_name(const char *namespace_uri)
{
    const struct catalog_entry *e = findEntry(namespace_uri);
    return e ? e->name : NULL;
}
