<?xml version="1.0" encoding="UTF-8"?>
<!-- soapbridge: request stylesheet of operation CancelOrder (binding OrderBinding) -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:fn="http://www.w3.org/2005/xpath-functions" xmlns:sb="urn:soapbridge:xslt"
 xmlns:sbw="urn:soapbridge" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:exsl="http://exslt.org/common"
 xmlns:n1="urn:example:orders"
 exclude-result-prefixes="fn sb exsl">
<xsl:output method="xml" encoding="UTF-8"/>

<xsl:template match="/">
<sbw:body><xsl:for-each select="fn:map">
<n1:CancelOrder><xsl:call-template name="q1"/></n1:CancelOrder>
</xsl:for-each></sbw:body>
</xsl:template>

<!-- request type (anonymous) -->
<xsl:template name="q1">
<xsl:for-each select="*[@key='OrderId'][not(self::fn:null)]"><n1:OrderId><xsl:value-of select="."/></n1:OrderId></xsl:for-each>
<xsl:for-each select="*[@key='Reason']"><xsl:choose><xsl:when test="self::fn:null"><n1:Reason xsi:nil="true"/></xsl:when><xsl:otherwise><n1:Reason><xsl:value-of select="."/></n1:Reason></xsl:otherwise></xsl:choose></xsl:for-each>
</xsl:template>

<!-- anyType in a request: members become unqualified elements. -->
<xsl:template name="sb.to-xml">
<xsl:choose><xsl:when test="self::fn:map"><xsl:for-each select="*"><xsl:choose><xsl:when test="self::fn:array"><xsl:variable name="k" select="@key"/><xsl:for-each select="*"><xsl:element name="{$k}"><xsl:call-template name="sb.to-xml"/></xsl:element></xsl:for-each></xsl:when><xsl:otherwise><xsl:element name="{@key}"><xsl:call-template name="sb.to-xml"/></xsl:element></xsl:otherwise></xsl:choose></xsl:for-each></xsl:when>
<xsl:otherwise><xsl:value-of select="."/></xsl:otherwise></xsl:choose>
</xsl:template>
</xsl:stylesheet>
