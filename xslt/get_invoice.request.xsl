<?xml version="1.0" encoding="UTF-8"?>
<!--
  get_invoice, request: canonical input (json-xml) -> body of the rpc/literal
  call BillingService.GetInvoice.

  In rpc/literal the body holds one wrapper element named after the
  operation, in the soap:body namespace of the binding
  (urn:billing-system:InvoiceService); its children are the message parts,
  named after the parts and in no namespace (WSDL 1.1 section 3.5, WS-I
  Basic Profile R2735). The input has been validated against the mapping
  (invoice_id required, pattern RE0000-00000) before this runs.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:fn="http://www.w3.org/2005/xpath-functions"
    xmlns:sb="urn:soapbridge"
    exclude-result-prefixes="fn">

  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="/">
    <sb:body>
      <bill:GetInvoice xmlns:bill="urn:billing-system:InvoiceService">
        <InvNo><xsl:value-of select="normalize-space(fn:map/fn:string[@key = 'invoice_id'])"/></InvNo>
      </bill:GetInvoice>
    </sb:body>
  </xsl:template>
</xsl:stylesheet>
