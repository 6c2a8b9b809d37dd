<?xml version="1.0" encoding="UTF-8"?>
<!-- soapbridge: response stylesheet of operation GetCustomer (binding CustomerBinding) -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:fn="http://www.w3.org/2005/xpath-functions" xmlns:sb="urn:soapbridge:xslt"
 xmlns:sbw="urn:soapbridge" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:exsl="http://exslt.org/common"
 exclude-result-prefixes="fn sb exsl sbw xsi">
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
<xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*"/></xsl:call-template>
</fn:map></xsl:for-each>
</fn:map></xsl:for-each></sbw:fault></xsl:when>
<xsl:otherwise><xsl:choose><xsl:when test="*"><xsl:for-each select="*[1]"><fn:map><xsl:for-each select="customer[1]"><fn:map key="customer"><xsl:call-template name="r1"/></fn:map></xsl:for-each>
<xsl:if test="count(*) != count(customer)"><xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*[not(self::customer)]"/><xsl:with-param name="undeclared" select="true()"/></xsl:call-template></xsl:if>
</fn:map></xsl:for-each></xsl:when><xsl:otherwise><sbw:bad-response reason="soap:Body has no rpc response wrapper element"/></xsl:otherwise></xsl:choose></xsl:otherwise>
</xsl:choose>
</xsl:for-each>
</xsl:template>

<!-- response type Customer -->
<xsl:template name="r1">
<xsl:for-each select="id[1]"><xsl:variable name="v1" select="sb:json-number(string(.))"/><xsl:if test="$v1!=''"><fn:number key="id"><xsl:value-of select="$v1"/></fn:number></xsl:if><xsl:if test="$v1=''"><xsl:value-of select="sb:warn(concat('not a number in ', name(), ': ', .))"/><fn:string key="id"><xsl:value-of select="."/></fn:string></xsl:if></xsl:for-each>
<xsl:for-each select="name[1]"><fn:string key="name"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="email[1]"><fn:string key="email"><xsl:value-of select="."/></fn:string></xsl:for-each>
<xsl:for-each select="vip[1]"><xsl:variable name="v4" select="normalize-space(.)"/><xsl:choose><xsl:when test="$v4='true' or $v4='1'"><fn:boolean key="vip">true</fn:boolean></xsl:when><xsl:when test="$v4='false' or $v4='0'"><fn:boolean key="vip">false</fn:boolean></xsl:when><xsl:otherwise><xsl:value-of select="sb:warn(concat('not a boolean in ', name(), ': ', .))"/><fn:string key="vip"><xsl:value-of select="."/></fn:string></xsl:otherwise></xsl:choose></xsl:for-each>
<xsl:if test="count(*) != count(id) + count(name) + count(email) + count(vip)"><xsl:call-template name="sb.group"><xsl:with-param name="nodes" select="*[not(self::id or self::name or self::email or self::vip)]"/><xsl:with-param name="undeclared" select="true()"/></xsl:call-template></xsl:if>
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
