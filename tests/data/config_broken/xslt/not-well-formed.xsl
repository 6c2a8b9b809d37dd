<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:template match="/"><sbw:body xmlns:sbw="urn:soapbridge">
</xsl:template>
</xsl:stylesheet>
