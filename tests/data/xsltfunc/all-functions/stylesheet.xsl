<?xml version="1.0" encoding="UTF-8"?>
<!-- Calls every sb:* function, with hits, misses and bad values. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:sb="urn:soapbridge:xslt"
    exclude-result-prefixes="sb">
  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:template match="/Order">
    <result>
      <xsl:for-each select="Line">
        <line status="{sb:lookup('order-status', Status)}"
              code="{sb:reverse-lookup('order-status', Wanted)}"
              shipped="{sb:date-to-iso(Shipped, 'YYYYMMDDhhmmss', 'Europe/Berlin')}"/>
      </xsl:for-each>
      <customer name="{sb:lookup('customers', CustomerId, 'name')}"
                city="{sb:lookup('customers', CustomerId, 'city')}"
                id="{sb:reverse-lookup('customers', 'E-300', 'erp_id')}"
                zip="{sb:lookup('customers', CustomerId, 'zip')}"/>
      <missing table="{sb:lookup('no-such-table', 'x')}"/>
      <dates ordered="{sb:date-to-iso(Ordered, 'DD.MM.YYYY')}"
             due="{sb:date-from-iso(Due, 'YYYYMMDD')}"
             local="{sb:date-from-iso(Due, 'DD.MM.YYYY hh:mm', 'Europe/Berlin')}"
             utc="{sb:date-from-iso('2026-07-01T12:00:00.250+02:00', 'YYYYMMDDhhmmss')}"
             number="{sb:date-to-iso(20261125, 'YYYYMMDD')}"
             empty="{sb:date-to-iso('', 'YYYYMMDD')}"
             invalid="{sb:date-to-iso('20260230', 'YYYYMMDD')}"
             short="{sb:date-from-iso('2026-11', 'YYYYMMDD')}"/>
      <note><xsl:value-of select="concat('[', sb:warn(concat('order ', @id, ' checked')), ']')"/></note>
    </result>
  </xsl:template>
</xsl:stylesheet>
