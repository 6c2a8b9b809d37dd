<?xml version="1.0" encoding="UTF-8"?>
<!-- soapbridge: request stylesheet of operation GetCustomer (binding CustomerBinding) -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:fn="http://www.w3.org/2005/xpath-functions" xmlns:sb="urn:soapbridge:xslt"
 xmlns:sbw="urn:soapbridge" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:exsl="http://exslt.org/common"
 xmlns:n1="urn:example:customers:rpc"
 exclude-result-prefixes="fn sb exsl">
<xsl:output method="xml" encoding="UTF-8"/>

<xsl:template match="/">
<sbw:body><xsl:for-each select="fn:map">
<n1:GetCustomer>
<xsl:for-each select="*[@key='customerId'][not(self::fn:null)]"><customerId><xsl:value-of select="."/></customerId></xsl:for-each>
<xsl:for-each select="*[@key='includeHistory'][not(self::fn:null)]"><includeHistory><xsl:value-of select="."/></includeHistory></xsl:for-each>
</n1:GetCustomer>
</xsl:for-each></sbw:body>
</xsl:template>

<!-- anyType in a request: members become unqualified elements. -->
<xsl:template name="sb.to-xml">
<xsl:choose><xsl:when test="self::fn:map"><xsl:for-each select="*"><xsl:choose><xsl:when test="self::fn:array"><xsl:variable name="k" select="@key"/><xsl:for-each select="*"><xsl:element name="{$k}"><xsl:call-template name="sb.to-xml"/></xsl:element></xsl:for-each></xsl:when><xsl:otherwise><xsl:element name="{@key}"><xsl:call-template name="sb.to-xml"/></xsl:element></xsl:otherwise></xsl:choose></xsl:for-each></xsl:when>
<xsl:otherwise><xsl:value-of select="."/></xsl:otherwise></xsl:choose>
</xsl:template>
</xsl:stylesheet>
