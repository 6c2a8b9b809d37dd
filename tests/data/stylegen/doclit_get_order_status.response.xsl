<?xml version="1.0" encoding="UTF-8"?>
<!-- soapbridge: response stylesheet of operation GetOrderStatus (binding OrderBinding) -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:fn="http://www.w3.org/2005/xpath-functions" xmlns:sb="urn:soapbridge:xslt"
 xmlns:sbw="urn:soapbridge" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:exsl="http://exslt.org/common"
 xmlns:n1="urn:example:orders"
 exclude-result-prefixes="fn sb exsl sbw xsi n1">
<xsl:output method="xml" encoding="UTF-8"/>

<xsl:template match="/">
<xsl:for-each select="*[local-name()='Envelope']/*[local-name()='Body']">
<xsl:choose>
<xsl:when test="*[local-name()='Fault']"><sbw:fault><xsl:for-each select="*[local-name()='Fault'][1]"><fn:map>
<fn:string key="code"><xsl:value-of select="normalize-space(*[local-name()='faultcode'] | *[local-name()='Code']/*[local-name()='Value'])"/></fn:string>
<xsl:for-each select="*[local-name()='Code']/*[local-name()='Subcode']/*[local-name()='Value']"><fn:string key="subcode"><xsl:value-of select="normalize-space(.)"/></fn:string></xsl:for-each>
<fn:string key="reason"><xsl:value-of select="normalize-space(*[local-name()='faultstring'] | *[local-name()='Reason']/*[local-name()='Text'][1])"/></fn:string>
<xsl:for-each select="*[local-name()='faultactor' or local-name()='Role']"><fn:string key="actor"><xsl:value-of select="normalize-space(.)"/></fn:string></xsl:for-each>
<xsl:for-each select="*[local-name()='Node']"><fn:string key="node"><xsl:value-of select="normalize-space(.)"/></fn:string></xsl:for-each>
<xsl:for-each select="*[local-name()='detail' or local-name()='Detail']"><fn:map key="detail">
<xsl:for-each select="n1:OrderFault[1]"><fn:map key="OrderFault"><xsl:call-template name="r2"/></fn:map></xsl:for-each>
<xsl:if test="count(*) != count(n1:OrderFault)"><xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*[not(self::n1:OrderFault)]"/></xsl:call-template></xsl:if>
</fn:map></xsl:for-each>
</fn:map></xsl:for-each></sbw:fault></xsl:when>
<xsl:otherwise><xsl:choose><xsl:when test="n1:GetOrderStatusResponse"><xsl:for-each select="n1:GetOrderStatusResponse[1]"><fn:map><xsl:call-template name="r1"/></fn:map></xsl:for-each></xsl:when><xsl:otherwise><sbw:bad-response reason="soap:Body has no GetOrderStatusResponse element"/></xsl:otherwise></xsl:choose></xsl:otherwise>
</xsl:choose>
</xsl:for-each>
</xsl:template>

<!-- response type (anonymous) -->
<xsl:template name="r1">
<xsl:for-each select="n1:Order[1]"><fn:map key="Order"><xsl:call-template name="r3"/></fn:map></xsl:for-each>
<xsl:if test="count(*) != count(n1:Order)"><xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*[not(self::n1:Order)]"/><xsl:with-param name="undeclared" select="true()"/></xsl:call-template></xsl:if>
</xsl:template>

<!-- response type (anonymous) -->
<xsl:template name="r2">
<xsl:for-each select="n1:ErrorCode[1]"><xsl:variable name="v1" select="sb:json-number(string(.))"/><xsl:if test="$v1!=''"><fn:number key="ErrorCode"><xsl:value-of select="$v1"/></fn:number></xsl:if><xsl:if test="$v1=''"><xsl:value-of select="sb:warn(concat('not a number in ', name(), ': ', .))"/><fn:string key="ErrorCode"><xsl:value-of select="."/></fn:string></xsl:if></xsl:for-each>
<xsl:for-each select="n1:ErrorText[1]"><fn:string key="ErrorText"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:if test="count(*) != count(n1:ErrorCode) + count(n1:ErrorText)"><xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*[not(self::n1:ErrorCode or self::n1:ErrorText)]"/><xsl:with-param name="undeclared" select="true()"/></xsl:call-template></xsl:if>
</xsl:template>

<!-- response type Order -->
<xsl:template name="r3">
<xsl:for-each select="@currency"><fn:string key="currency"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:OrderId[1]"><fn:string key="OrderId"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:CustomerCode[1]"><fn:string key="CustomerCode"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:Status[1]"><fn:string key="Status"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:OrderDate[1]"><fn:string key="OrderDate"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:Total[1]"><xsl:variable name="v8" select="sb:json-number(string(.))"/><xsl:if test="$v8!=''"><fn:number key="Total"><xsl:value-of select="$v8"/></fn:number></xsl:if><xsl:if test="$v8=''"><xsl:value-of select="sb:warn(concat('not a number in ', name(), ': ', .))"/><fn:string key="Total"><xsl:value-of select="."/></fn:string></xsl:if></xsl:for-each>
<xsl:for-each select="n1:Priority[1]"><xsl:variable name="v9" select="normalize-space(.)"/><xsl:choose><xsl:when test="$v9='true' or $v9='1'"><fn:boolean key="Priority">true</fn:boolean></xsl:when><xsl:when test="$v9='false' or $v9='0'"><fn:boolean key="Priority">false</fn:boolean></xsl:when><xsl:otherwise><xsl:value-of select="sb:warn(concat('not a boolean in ', name(), ': ', .))"/><fn:string key="Priority"><xsl:value-of select="."/></fn:string></xsl:otherwise></xsl:choose></xsl:for-each>
<xsl:for-each select="n1:ShipTo[1]"><fn:map key="ShipTo"><xsl:call-template name="r4"/></fn:map></xsl:for-each>
<fn:array key="Line"><xsl:for-each select="n1:Line"><fn:map><xsl:call-template name="r5"/></fn:map></xsl:for-each></fn:array>
<xsl:for-each select="n1:Comment[1]"><xsl:choose><xsl:when test="@xsi:nil='true' or @xsi:nil='1'"><fn:null key="Comment"/></xsl:when><xsl:otherwise><fn:string key="Comment"><xsl:value-of select="."/></fn:string></xsl:otherwise></xsl:choose></xsl:for-each>
<xsl:if test="count(*) != count(n1:OrderId) + count(n1:CustomerCode) + count(n1:Status) + count(n1:OrderDate) + count(n1:Total) + count(n1:Priority) + count(n1:ShipTo) + count(n1:Line) + count(n1:Comment)"><xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*[not(self::n1:OrderId or self::n1:CustomerCode or self::n1:Status or self::n1:OrderDate or self::n1:Total or self::n1:Priority or self::n1:ShipTo or self::n1:Line or self::n1:Comment)]"/><xsl:with-param name="undeclared" select="true()"/></xsl:call-template></xsl:if>
</xsl:template>

<!-- response type Address -->
<xsl:template name="r4">
<xsl:for-each select="n1:Street[1]"><fn:string key="Street"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:City[1]"><fn:string key="City"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:PostalCode[1]"><fn:string key="PostalCode"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:Country[1]"><fn:string key="Country"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:if test="count(*) != count(n1:Street) + count(n1:City) + count(n1:PostalCode) + count(n1:Country)"><xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*[not(self::n1:Street or self::n1:City or self::n1:PostalCode or self::n1:Country)]"/><xsl:with-param name="undeclared" select="true()"/></xsl:call-template></xsl:if>
</xsl:template>

<!-- response type OrderLine -->
<xsl:template name="r5">
<xsl:for-each select="@lineNo"><xsl:variable name="v15" select="sb:json-number(string(.))"/><xsl:if test="$v15!=''"><fn:number key="lineNo"><xsl:value-of select="$v15"/></fn:number></xsl:if><xsl:if test="$v15=''"><xsl:value-of select="sb:warn(concat('not a number in ', name(), ': ', .))"/><fn:string key="lineNo"><xsl:value-of select="."/></fn:string></xsl:if></xsl:for-each>
<xsl:for-each select="n1:Sku[1]"><fn:string key="Sku"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="n1:Quantity[1]"><xsl:variable name="v17" select="sb:json-number(string(.))"/><xsl:if test="$v17!=''"><fn:number key="Quantity"><xsl:value-of select="$v17"/></fn:number></xsl:if><xsl:if test="$v17=''"><xsl:value-of select="sb:warn(concat('not a number in ', name(), ': ', .))"/><fn:string key="Quantity"><xsl:value-of select="."/></fn:string></xsl:if></xsl:for-each>
<xsl:for-each select="n1:UnitPrice[1]"><xsl:variable name="v18" select="sb:json-number(string(.))"/><xsl:if test="$v18!=''"><fn:number key="UnitPrice"><xsl:value-of select="$v18"/></fn:number></xsl:if><xsl:if test="$v18=''"><xsl:value-of select="sb:warn(concat('not a number in ', name(), ': ', .))"/><fn:string key="UnitPrice"><xsl:value-of select="."/></fn:string></xsl:if></xsl:for-each>
<xsl:if test="count(*) != count(n1:Sku) + count(n1:Quantity) + count(n1:UnitPrice)"><xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*[not(self::n1:Sku or self::n1:Quantity or self::n1:UnitPrice)]"/><xsl:with-param name="undeclared" select="true()"/></xsl:call-template></xsl:if>
</xsl:template>

<!-- The generic rule: content without a schema declaration. -->
<xsl:template name="sb.generic">
<xsl:param name="key"/>
<xsl:variable name="attrs" select="@*[namespace-uri()!='http://www.w3.org/2001/XMLSchema-instance']"/>
<xsl:choose>
<xsl:when test="@xsi:nil='true' or @xsi:nil='1'"><fn:null><xsl:if test="$key!=''"><xsl:attribute name="key"><xsl:value-of select="$key"/></xsl:attribute></xsl:if></fn:null></xsl:when>
<xsl:when test="not(*) and not($attrs)"><fn:string><xsl:if test="$key!=''"><xsl:attribute name="key"><xsl:value-of select="$key"/></xsl:attribute></xsl:if><xsl:value-of select="."/></fn:string></xsl:when>
<xsl:otherwise><fn:map><xsl:if test="$key!=''"><xsl:attribute name="key"><xsl:value-of select="$key"/></xsl:attribute></xsl:if>
<xsl:for-each select="$attrs"><fn:string key="{local-name()}"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:if test="normalize-space(text())!=''"><fn:string key="_value"><xsl:value-of select="normalize-space(text())"/></fn:string></xsl:if>
<xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*"/></xsl:call-template>
</fn:map></xsl:otherwise>
</xsl:choose>
</xsl:template>
<!-- Members named by local name; a name that repeats is an array. -->
<xsl:template name="sb.group">
<xsl:param name="nodes"/>
<xsl:param name="undeclared" select="false()"/>
<xsl:for-each select="$nodes">
<xsl:variable name="n" select="local-name()"/>
<xsl:if test="not(preceding-sibling::*[local-name()=$n])">
<xsl:if test="$undeclared"><xsl:value-of select="sb:warn(concat('undeclared element ', name(), ' in ', name(..)))"/></xsl:if>
<xsl:variable name="same" select="$nodes[local-name()=$n]"/>
<xsl:choose><xsl:when test="count($same)&gt;1"><fn:array key="{$n}"><xsl:for-each select="$same"><xsl:call-template name="sb.generic"/></xsl:for-each></fn:array></xsl:when>
<xsl:otherwise><xsl:call-template name="sb.generic"><xsl:with-param name="key" select="$n"/></xsl:call-template></xsl:otherwise></xsl:choose>
</xsl:if>
</xsl:for-each>
</xsl:template>
</xsl:stylesheet>
