<?xml version="1.0" encoding="UTF-8"?>
<!--
  get_invoice, response: the SOAP envelope of BillingService.GetInvoice
  (rpc/literal) -> the canonical invoice as one json-xml fn:map.

  The wrapper GetInvoiceResponse (namespace urn:billing-system:InvoiceService)
  holds the parts Header, Positions, Totals and TaxByRegion as unqualified
  accessors; their content is qualified in urn:billing-system:types.
  Amounts stay the decimal text the billing system sent (1500.00), the
  numeric billing customer number becomes the CRM number through the
  customer-ids crosswalk, YYYYMMDD dates become ISO 8601, codes become
  words through lookup tables. Like the generated stylesheets, a SOAP
  fault gives <sb:fault> around its json-xml map, and a body without
  GetInvoiceResponse gives <sb:bad-response reason="..."/> (sb: here is
  urn:soapbridge, the proxy's result namespace).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:fn="http://www.w3.org/2005/xpath-functions"
    xmlns:sb="urn:soapbridge:xslt"
    xmlns:bill="urn:billing-system:InvoiceService"
    xmlns:bt="urn:billing-system:types"
    exclude-result-prefixes="bill bt sb">

  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:variable name="response"
      select="/*[local-name() = 'Envelope']/*[local-name() = 'Body']/bill:GetInvoiceResponse"/>

  <xsl:variable name="fault"
      select="/*[local-name() = 'Envelope']/*[local-name() = 'Body']/*[local-name() = 'Fault']"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="$fault">
        <xsl:apply-templates select="$fault[1]"/>
      </xsl:when>
      <xsl:when test="$response">
        <xsl:apply-templates select="$response"/>
      </xsl:when>
      <xsl:otherwise>
        <bad-response xmlns="urn:soapbridge"
            reason="the body holds no GetInvoiceResponse"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A SOAP 1.1 fault, in the shape the generated stylesheets give
       (code, reason, actor, detail): the proxy turns <sb:fault> into an
       upstream_fault error. The billing faults (UnknownInvoiceFault,
       ValidationFault ...) hold flat Code/Field/Msg elements. -->
  <xsl:template match="*[local-name() = 'Fault']">
    <fault xmlns="urn:soapbridge">
      <fn:map>
        <fn:string key="code"><xsl:value-of select="normalize-space(faultcode)"/></fn:string>
        <fn:string key="reason"><xsl:value-of select="normalize-space(faultstring)"/></fn:string>
        <xsl:for-each select="faultactor">
          <fn:string key="actor"><xsl:value-of select="normalize-space(.)"/></fn:string>
        </xsl:for-each>
        <xsl:for-each select="detail">
          <fn:map key="detail">
            <xsl:for-each select="*">
              <fn:map key="{local-name()}">
                <xsl:for-each select="*">
                  <fn:string key="{local-name()}"><xsl:value-of select="."/></fn:string>
                </xsl:for-each>
              </fn:map>
            </xsl:for-each>
          </fn:map>
        </xsl:for-each>
      </fn:map>
    </fault>
  </xsl:template>

  <xsl:template match="bill:GetInvoiceResponse">
    <xsl:variable name="h" select="Header"/>
    <fn:map>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'invoice_id'"/>
        <xsl:with-param name="node" select="$h/bt:InvNo"/>
      </xsl:call-template>
      <xsl:call-template name="date">
        <xsl:with-param name="key" select="'issued_on'"/>
        <xsl:with-param name="node" select="$h/bt:InvDate"/>
      </xsl:call-template>
      <xsl:call-template name="date">
        <xsl:with-param name="key" select="'due_on'"/>
        <xsl:with-param name="node" select="$h/bt:DueDate"/>
      </xsl:call-template>
      <xsl:call-template name="customer-id">
        <xsl:with-param name="node" select="$h/bt:CustNo"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'customer_name'"/>
        <xsl:with-param name="node" select="$h/bt:CustName"/>
      </xsl:call-template>
      <xsl:call-template name="looked-up">
        <xsl:with-param name="key" select="'state'"/>
        <xsl:with-param name="table" select="'invoice-state'"/>
        <xsl:with-param name="node" select="$h/bt:State"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'order_id'"/>
        <xsl:with-param name="node" select="$h/bt:OrderRef"/>
      </xsl:call-template>
      <fn:array key="positions">
        <xsl:apply-templates select="Positions/bt:Pos"/>
      </fn:array>
      <xsl:apply-templates select="Totals"/>
      <fn:array key="tax_by_region">
        <xsl:apply-templates select="TaxByRegion/bt:RegTax"/>
      </fn:array>
    </fn:map>
  </xsl:template>

  <xsl:template match="bt:Pos">
    <fn:map>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'position'"/>
        <xsl:with-param name="node" select="bt:PosNo"/>
      </xsl:call-template>
      <fn:string key="kind">
        <xsl:choose>
          <xsl:when test="@kind = 'R'">rebate</xsl:when>
          <xsl:when test="@kind = 'F'">freight</xsl:when>
          <!-- the schema's default for an absent attribute is N -->
          <xsl:when test="not(@kind) or @kind = 'N'">item</xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="sb:warn(concat('get_invoice: unknown position kind ', @kind))"/>
            <xsl:value-of select="@kind"/>
          </xsl:otherwise>
        </xsl:choose>
      </fn:string>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'sku'"/>
        <xsl:with-param name="node" select="bt:ArtNo"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'text'"/>
        <xsl:with-param name="node" select="bt:Text"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'quantity'"/>
        <xsl:with-param name="node" select="bt:Qty"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'unit'"/>
        <xsl:with-param name="node" select="bt:Unit"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'unit_price'"/>
        <xsl:with-param name="node" select="bt:UnitPrice"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'net_amount'"/>
        <xsl:with-param name="node" select="bt:NetAmt"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'tax_code'"/>
        <xsl:with-param name="node" select="bt:TaxCd"/>
      </xsl:call-template>
    </fn:map>
  </xsl:template>

  <xsl:template match="Totals">
    <fn:map key="totals">
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'net'"/>
        <xsl:with-param name="node" select="bt:Net"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'tax'"/>
        <xsl:with-param name="node" select="bt:Tax"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'gross'"/>
        <xsl:with-param name="node" select="bt:Gross"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'paid'"/>
        <xsl:with-param name="node" select="bt:Paid"/>
      </xsl:call-template>
      <!-- Money/@cur defaults to EUR in the schema -->
      <fn:string key="currency">
        <xsl:choose>
          <xsl:when test="bt:Gross/@cur"><xsl:value-of select="bt:Gross/@cur"/></xsl:when>
          <xsl:otherwise>EUR</xsl:otherwise>
        </xsl:choose>
      </fn:string>
    </fn:map>
  </xsl:template>

  <xsl:template match="bt:RegTax">
    <fn:map>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'region'"/>
        <xsl:with-param name="node" select="bt:Region"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'tax_code'"/>
        <xsl:with-param name="node" select="bt:TaxCd"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'rate_percent'"/>
        <xsl:with-param name="node" select="bt:Rate"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'base'"/>
        <xsl:with-param name="node" select="bt:Base"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'tax'"/>
        <xsl:with-param name="node" select="bt:TaxAmt"/>
      </xsl:call-template>
    </fn:map>
  </xsl:template>

  <!-- ==== value helpers: absent element or xsi:nil -> null ==== -->

  <xsl:template name="is-null">
    <xsl:param name="node"/>
    <xsl:if test="not($node) or $node/@*[local-name() = 'nil'
        and namespace-uri() = 'http://www.w3.org/2001/XMLSchema-instance'
        and (. = 'true' or . = '1')]">1</xsl:if>
  </xsl:template>

  <xsl:template name="string">
    <xsl:param name="key"/>
    <xsl:param name="node"/>
    <xsl:variable name="null">
      <xsl:call-template name="is-null"><xsl:with-param name="node" select="$node"/></xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$null = '1'"><fn:null key="{$key}"/></xsl:when>
      <xsl:otherwise><fn:string key="{$key}"><xsl:value-of select="$node"/></fn:string></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Decimal text is passed through unchanged ("1500.00" stays
       1500.00). xsd:decimal also allows forms JSON does not ("+1", ".5",
       "1.", "007"); those, and anything that is no number, stay a string,
       with a warning. -->
  <xsl:template name="number">
    <xsl:param name="key"/>
    <xsl:param name="node"/>
    <xsl:variable name="null">
      <xsl:call-template name="is-null"><xsl:with-param name="node" select="$node"/></xsl:call-template>
    </xsl:variable>
    <xsl:variable name="text" select="normalize-space($node)"/>
    <xsl:variable name="unsigned">
      <xsl:choose>
        <xsl:when test="starts-with($text, '-')"><xsl:value-of select="substring($text, 2)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="int">
      <xsl:choose>
        <xsl:when test="contains($unsigned, '.')"><xsl:value-of select="substring-before($unsigned, '.')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$unsigned"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="frac" select="substring-after($unsigned, '.')"/>
    <xsl:choose>
      <xsl:when test="$null = '1'"><fn:null key="{$key}"/></xsl:when>
      <xsl:when test="$int != '' and translate($int, '0123456789', '') = ''
          and ($int = '0' or not(starts-with($int, '0')))
          and (not(contains($unsigned, '.'))
               or ($frac != '' and translate($frac, '0123456789', '') = ''))">
        <fn:number key="{$key}"><xsl:value-of select="$text"/></fn:number>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="sb:warn(concat('get_invoice: ', $key, ': not a number: ', $text))"/>
        <fn:string key="{$key}"><xsl:value-of select="$node"/></fn:string>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="date">
    <xsl:param name="key"/>
    <xsl:param name="node"/>
    <xsl:variable name="null">
      <xsl:call-template name="is-null"><xsl:with-param name="node" select="$node"/></xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$null = '1'"><fn:null key="{$key}"/></xsl:when>
      <xsl:otherwise>
        <!-- a value that does not match gives "" and a warning -->
        <xsl:variable name="iso" select="sb:date-to-iso(string($node), 'YYYYMMDD')"/>
        <xsl:choose>
          <xsl:when test="$iso = ''"><fn:null key="{$key}"/></xsl:when>
          <xsl:otherwise><fn:string key="{$key}"><xsl:value-of select="$iso"/></fn:string></xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="looked-up">
    <xsl:param name="key"/>
    <xsl:param name="table"/>
    <xsl:param name="node"/>
    <xsl:choose>
      <xsl:when test="not($node)"><fn:null key="{$key}"/></xsl:when>
      <xsl:otherwise>
        <xsl:variable name="word" select="sb:lookup($table, string($node))"/>
        <xsl:choose>
          <!-- sb:lookup has warned; the bot still sees the raw code -->
          <xsl:when test="$word = ''"><fn:string key="{$key}"><xsl:value-of select="$node"/></fn:string></xsl:when>
          <xsl:otherwise><fn:string key="{$key}"><xsl:value-of select="$word"/></fn:string></xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Billing customer 4711 -> CRM customer K-004711 (crosswalk row whose
       billing column matches; the key column is the CRM number). -->
  <xsl:template name="customer-id">
    <xsl:param name="node"/>
    <xsl:variable name="number" select="normalize-space($node)"/>
    <xsl:variable name="crm" select="sb:reverse-lookup('customer-ids', $number, 'billing')"/>
    <xsl:choose>
      <xsl:when test="$crm != ''"><fn:string key="customer_id"><xsl:value-of select="$crm"/></fn:string></xsl:when>
      <!-- sb:reverse-lookup has warned -->
      <xsl:otherwise><fn:null key="customer_id"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
